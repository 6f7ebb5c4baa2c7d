package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Each API's stream carries its answer once in deltas; the events that
// repeat it whole (Responses' *.done and response.completed, a chunk's
// usage) must not count it again.
func TestStreamedTextCountsEachAPIsAnswerOnce(t *testing.T) {
	events := map[string][]string{
		"chat": {
			`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
			`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}`,
			`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\u006co"}}]}`,
			`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":" world"}}]}}]}`,
			`{"object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}`,
		},
		"responses": {
			`{"type":"response.created","response":{"id":"resp_1","output":[]}}`,
			`{"type":"response.output_text.delta","item_id":"msg_1","delta":"Hello"}`,
			`{"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":" world"}`,
			`{"type":"response.output_text.done","item_id":"msg_1","text":"Hello"}`,
			`{"type":"response.completed","response":{"output":[{"type":"message","content":[{"type":"output_text","text":"Hello"}]}]}}`,
		},
		"messages": {
			`{"type":"message_start","message":{"content":[],"usage":{"input_tokens":3}}}`,
			`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
			`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" world"}}`,
			`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`,
		},
	}
	for api, evs := range events {
		var all []byte
		for _, ev := range evs {
			all = appendStreamedText(all, []byte(ev))
		}
		assert.Equal(t, "Hello world", string(all), api)
	}
}

// A provider's event cut anywhere (a broken connection, a bad server)
// counts what it can and never panics.
func TestStreamedTextOfACutEvent(t *testing.T) {
	ev := `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel\"lo","tool_calls":[{"function":{"arguments":"{}"}}]}}]}`
	for i := range len(ev) {
		assert.NotPanics(t, func() { appendStreamedText(nil, []byte(ev[:i])) }, ev[:i])
	}
}
