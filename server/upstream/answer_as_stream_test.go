package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

const (
	chatJSONAnswer      = `{"id":"x","object":"chat.completion","created":1,"model":"broken","choices":[{"index":0,"message":{"role":"assistant","content":"Hi from JSON"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	claudeJSONAnswer    = `{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[{"type":"text","text":"Hi from JSON"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":3}}`
	responsesJSONAnswer = `{"id":"resp_1","object":"response","status":"completed","model":"broken","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi from JSON","annotations":[]}]}],"usage":{"input_tokens":1,"output_tokens":3,"total_tokens":4}}`
)

// streamedAnswer reads a stream of api as its client does: the text of its
// deltas, and whether it ended the way its API ends a whole answer (Chat:
// a finish reason, then [DONE]; Responses: response.completed, the events
// numbered from 0; Messages: message_start first, message_stop last).
func streamedAnswer(t *testing.T, api upstream.API, body []byte) (text string, ended bool) {
	t.Helper()
	frames := dataFrames(t, body)
	require.NotEmpty(t, frames, "no event in %s", body)
	var b strings.Builder
	switch api {
	case upstream.APIChatCompletions:
		finished := false
		for _, fr := range frames[:len(frames)-1] {
			for _, c := range decode(t, fr)["choices"].([]any) {
				choice := c.(map[string]any)
				if s, ok := choice["delta"].(map[string]any)["content"].(string); ok {
					b.WriteString(s)
				}
				finished = finished || choice["finish_reason"] != nil
			}
		}
		return b.String(), finished && frames[len(frames)-1] == "[DONE]"
	case upstream.APIResponses:
		var last string
		for i, fr := range frames {
			ev := decode(t, fr)
			assert.EqualValues(t, i, ev["sequence_number"], "sequence numbers count up from 0")
			if last = ev["type"].(string); last == "response.output_text.delta" {
				b.WriteString(ev["delta"].(string))
			}
		}
		return b.String(), last == "response.completed"
	}
	var types []string
	for _, fr := range frames {
		ev := decode(t, fr)
		types = append(types, ev["type"].(string))
		if d, ok := ev["delta"].(map[string]any); ok && d["type"] == "text_delta" {
			b.WriteString(d["text"].(string))
		}
	}
	return b.String(), types[0] == "message_start" && types[len(types)-1] == "message_stop"
}

// Some servers and proxies ignore `stream`, and some models cannot stream:
// they answer a streaming request with one JSON body, which the client's
// SDK would read as a stream without events. The client gets that answer
// as a stream in its own API, on every path (the provider's API passed on,
// or translated), from the model the router chose: no failover, and the
// outcome (usage, whole, translated) is the one a JSON answer has.
func TestAJSONAnswerToAStreamingRequestReachesTheClientAsAStream(t *testing.T) {
	for _, tc := range []struct {
		name        string
		kind        string
		api         upstream.API
		contentType string
		body        string
	}{
		{"chat", upstream.KindOpenAI, upstream.APIChatCompletions, "application/json", chatJSONAnswer},
		{"chat without Content-Type", upstream.KindOpenAI, upstream.APIChatCompletions, "", chatJSONAnswer},
		{"responses", upstream.KindOpenAI, upstream.APIResponses, "application/json", responsesJSONAnswer},
		{"messages from Claude", upstream.KindAnthropic, upstream.APIMessages, "application/json", claudeJSONAnswer},
		{"chat from Claude", upstream.KindAnthropic, upstream.APIChatCompletions, "application/json", claudeJSONAnswer},
		{"responses from Claude", upstream.KindAnthropic, upstream.APIResponses, "application/json", claudeJSONAnswer},
		{"messages from an OpenAI-compatible model", upstream.KindOpenAI, upstream.APIMessages, "application/json", chatJSONAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, tc.kind, writes(http.StatusOK, tc.contentType, tc.body))
			asJSON, _ := m.call(t, tc.api, false)
			require.Equal(t, "broken-id", asJSON.Answered.ID)

			out, rec := m.call(t, tc.api, true)
			assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
			assert.Equal(t, http.StatusOK, out.Status)
			assert.NoError(t, out.Err)
			assert.True(t, isEventStream(rec), "a streaming client got %q: %s", rec.Header().Get("Content-Type"), rec.Body.String())
			assert.Equal(t, "broken-id", rec.Header().Get(upstream.HeaderModel))
			text, ended := streamedAnswer(t, tc.api, rec.Body.Bytes())
			assert.Equal(t, "Hi from JSON", text, rec.Body.String())
			assert.True(t, ended, "the stream does not end as a whole answer does: %s", rec.Body.String())
			assert.Contains(t, rec.Body.String(), `"model":"broken-id"`)
			assert.NotContains(t, rec.Body.String(), `"model":"broken"`, "the provider's name for the model")
			if assert.Len(t, out.Attempts, 1) {
				assert.Empty(t, out.Attempts[0].Error)
			}
			assert.True(t, out.Whole)
			assert.Equal(t, router.Usage{PromptTokens: 1, CompletionTokens: 3}, out.Usage)
			assert.Equal(t, asJSON.Usage, out.Usage)
			assert.Equal(t, asJSON.Translated, out.Translated)
		})
	}
}

// A Chat Completions stream carries usage only for a client that asked
// for it (stream_options.include_usage), in a last chunk with no choices;
// the gateway reads it from the JSON either way.
func TestAJSONAnswerStreamedToAChatClientHasUsageOnlyWhenAsked(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "application/json", chatJSONAnswer))
	for _, asked := range []bool{false, true} {
		raw := `{"model":"r","stream":true,"messages":[{"role":"user","content":"hi"}]}`
		if asked {
			raw = `{"model":"r","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rec := httptest.NewRecorder()
		out := m.fwd.Forward(ctx, rec, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(raw), Stream: true, Order: []router.Model{m.bad}})
		cancel()
		assert.Equal(t, router.Usage{PromptTokens: 1, CompletionTokens: 3}, out.Usage)
		frames := dataFrames(t, rec.Body.Bytes())
		require.GreaterOrEqual(t, len(frames), 3, rec.Body.String())
		if !asked {
			assert.NotContains(t, rec.Body.String(), `"usage"`)
			continue
		}
		usage := decode(t, frames[len(frames)-2])
		assert.Equal(t, []any{}, usage["choices"])
		assert.Equal(t, map[string]any{"prompt_tokens": 1.0, "completion_tokens": 3.0, "total_tokens": 4.0}, usage["usage"])
	}
}
