package upstream

// stop_reason "tool_use" goes only with an answer that carries a tool_use
// block. Anthropic sends tool_use only with the tool_use blocks to run;
// agent loops (Claude Code, the SDKs' tool runners) branch on stop_reason
// and then look for the calls.

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The stream drops a tool call that is never named (messages_stream.go says
// so: "A call never named cannot be run ... it is dropped"), but the stop
// reason still says tool_use.
func TestStreamWithADroppedToolCallDoesNotStopForToolUse(t *testing.T) {
	s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
	chunks := []string{
		`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking."}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_x","function":{"arguments":"{}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		`{"id":"c","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}`,
	}
	var blocks []string
	var stop string
	for _, c := range chunks {
		for _, ev := range s.translate(sseEvent{data: []byte(c)}) {
			var e struct {
				ContentBlock struct {
					Type string `json:"type"`
				} `json:"content_block"`
				Delta struct {
					StopReason string `json:"stop_reason"`
				} `json:"delta"`
			}
			require.NoError(t, json.Unmarshal(ev.data, &e))
			switch ev.name {
			case "content_block_start":
				blocks = append(blocks, e.ContentBlock.Type)
			case "message_delta":
				stop = e.Delta.StopReason
			}
		}
	}
	require.True(t, s.over())
	require.Equal(t, []string{"text"}, blocks, "the unnamed call is dropped")
	assert.NotEqual(t, "tool_use", stop, "stop_reason tool_use with no tool_use block to run")
}

// The same for a whole answer: finish_reason tool_calls with no tool calls
// (a server whose tool parser failed) becomes stop_reason tool_use with
// only a text block.
func TestAnswerWithoutToolCallsDoesNotStopForToolUse(t *testing.T) {
	raw := []byte(`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"I will check.","tool_calls":[]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":3}}`)
	body, _, err := chatToMessage(raw, router.Model{ID: "m-id", Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	var msg struct {
		StopReason string `json:"stop_reason"`
		Content    []struct {
			Type string `json:"type"`
		} `json:"content"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	require.Len(t, msg.Content, 1)
	require.Equal(t, "text", msg.Content[0].Type)
	assert.NotEqual(t, "tool_use", msg.StopReason, "stop_reason tool_use with no tool_use block: %s", body)
}

// A whole answer keeps a tool call with no name as a tool_use block with
// name "": the stream path drops such a call because "Anthropic refuses a
// tool_use without a name when the client sends it back"
// (messages_stream.go), the non-streamed path sends it to the client.
func TestAnswerDropsAnUnnamedToolCallAsTheStreamDoes(t *testing.T) {
	raw := []byte(`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_x","type":"function","function":{"name":"","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":3}}`)
	body, _, err := chatToMessage(raw, router.Model{ID: "m-id", Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	var msg struct {
		Content []struct {
			Type string  `json:"type"`
			Name *string `json:"name"`
		} `json:"content"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	for _, b := range msg.Content {
		if b.Type == "tool_use" {
			assert.True(t, b.Name != nil && *b.Name != "", "a tool_use block without a name went to the client: %s", body)
		}
	}
}
