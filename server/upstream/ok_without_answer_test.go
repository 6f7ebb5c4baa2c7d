package upstream_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A 200 whose JSON body is no answer of the provider's API (a proxy's
// status object, a chat.completion without choices, an "Anthropic" body
// without type and content) is not an answer: nothing went to the client,
// so the next model should answer, as it does for a 200 whose body is not
// JSON or is an error object. Passed on, the client gets a 200 with nothing
// in it (or, translated, an empty "stop"/"end_turn" answer the gateway
// made up), logged and billed as the model's answer. The same body to a
// streaming request is no answer to send as a stream either.
func TestAnOKBodyThatIsNoAnswerFailsOver(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind string
		api  upstream.API
		body string
	}{
		{"chat completion without choices", upstream.KindOpenAI, upstream.APIChatCompletions, `{"id":"x","object":"chat.completion","created":1,"model":"broken","choices":[]}`},
		{"empty object for chat", upstream.KindOpenAI, upstream.APIChatCompletions, `{}`},
		{"empty object for responses", upstream.KindOpenAI, upstream.APIResponses, `{}`},
		{"proxy status from Anthropic, chat client", upstream.KindAnthropic, upstream.APIChatCompletions, `{"status":"ok"}`},
		{"proxy status from Anthropic, messages client", upstream.KindAnthropic, upstream.APIMessages, `{"status":"ok"}`},
		{"proxy status from Anthropic, responses client", upstream.KindAnthropic, upstream.APIResponses, `{"status":"ok"}`},
	} {
		for _, stream := range []bool{false, true} {
			t.Run(tc.name+", stream="+strconv.FormatBool(stream), func(t *testing.T) {
				m := newMisbehaving(t, tc.kind, writes(http.StatusOK, "application/json", tc.body))
				out, rec := m.call(t, tc.api, stream)
				assert.Equal(t, "good-id", out.Answered.ID, "passed on as the answer: %s", rec.Body.String())
				assert.Contains(t, rec.Body.String(), "good.")
				if assert.NotEmpty(t, out.Attempts) {
					assert.NotEmpty(t, out.Attempts[0].Error, "the first model's attempt is logged as a success")
				}
			})
		}
	}
}

// A stream that ends before any of an answer (only [DONE], chunks with no
// choice in them, or the chunk with only the role that opens it) is the
// same: the gateway holds what it would send until the answer begins, so
// the next model can still answer. Passed on, a Chat client gets an empty
// stream (or one cut off), a Responses client a bare [DONE] that is no
// Responses event at all, and a Messages client an empty end_turn message
// the gateway made up; each logged as an answer.
func TestAStreamThatEndsBeforeAnyAnswerFailsOver(t *testing.T) {
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages, upstream.APIResponses} {
		for name, parts := range map[string][]string{
			"only [DONE]": {sseData("[DONE]")},
			"chunk without choices, then [DONE]": {
				sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[]}`), sseData("[DONE]"),
			},
			"chunk with only the role, then [DONE]":  {sseData(roleChunk), sseData("[DONE]")},
			"chunk with only the role, then the end": {sseData(roleChunk)},
		} {
			if api == upstream.APIResponses && name != "only [DONE]" {
				continue // chat chunks are no Responses stream
			}
			t.Run(string(api)+", "+name, func(t *testing.T) {
				m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", parts...))
				out, rec := m.call(t, api, true)
				assert.Equal(t, "good-id", out.Answered.ID, "passed on as the answer: %s", rec.Body.String())
				assert.Contains(t, rec.Body.String(), "good.")
			})
		}
	}
}

// An answer without text is still an answer: a choice whose content is
// null beside a tool call, a refusal, a Claude message whose only block is
// a tool call. These go to the client from the model that wrote them.
func TestAnOKBodyWithoutTextIsStillAnAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind string
		api  upstream.API
		body string
		want string
	}{
		{"tool call with null content", upstream.KindOpenAI, upstream.APIChatCompletions,
			`{"id":"c","object":"chat.completion","created":1,"model":"broken","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`,
			"get_weather"},
		{"refusal", upstream.KindOpenAI, upstream.APIChatCompletions,
			`{"id":"c","object":"chat.completion","created":1,"model":"broken","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}`,
			"I can't help with that."},
		{"Claude tool call for a chat client", upstream.KindAnthropic, upstream.APIChatCompletions,
			`{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":4}}`,
			"get_weather"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, tc.kind, writes(http.StatusOK, "application/json", tc.body))
			out, rec := m.call(t, tc.api, false)
			assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
			assert.Contains(t, rec.Body.String(), tc.want)
		})
	}
}

// From the last model, such a body leaves the client the gateway's 502
// naming what came back, not a 200 with nothing in it.
func TestAnOKBodyThatIsNoAnswerFromTheLastModelIsAnUpstreamError(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "application/json", `{"status":"ok"}`))
	out, rec := m.call(t, upstream.APIChatCompletions, false, m.bad)
	assert.False(t, out.Wrote, "written to the client: %s", rec.Body.String())
	assert.Equal(t, http.StatusBadGateway, out.Status)
	var re *router.Error
	if assert.ErrorAs(t, out.Err, &re) {
		assert.Equal(t, router.EUpstream, re.Code)
		assert.Contains(t, re.Message, "answer has no choices")
	}
}

// What is held is not lost: a stream that opens with a chunk without
// choices (Azure's prompt filter results) and then answers is that model's
// answer, the held chunk first on Chat Completions, and a Messages client's
// stream still opens with message_start. The usage chunk, which has no
// choice either but comes after the answer, still counts.
func TestAStreamThatOpensWithAChunkWithoutChoicesStillAnswers(t *testing.T) {
	filter := `"prompt_filter_results":[{"prompt_index":0}]`
	parts := []string{
		sseData(`{"id":"","object":"","created":0,"model":"","choices":[],` + filter + `}`),
		chatChunkText("broken", "Hi from broken."),
		sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`),
		sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}`),
		sseData("[DONE]"),
	}
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages} {
		t.Run(string(api), func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", parts...))
			out, rec := m.call(t, api, true)
			body := rec.Body.String()
			assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
			assert.True(t, out.Whole)
			assert.Equal(t, 4, out.Usage.CompletionTokens)
			assert.Contains(t, body, "Hi from broken.")
			if api == upstream.APIChatCompletions {
				if assert.Contains(t, body, filter) {
					assert.Less(t, strings.Index(body, filter), strings.Index(body, "Hi from broken."), body)
				}
			} else {
				assert.True(t, strings.HasPrefix(body, "event: message_start\n"), body)
			}
		})
	}
}

// roleChunk is the chunk OpenAI opens every stream with, before the model
// has written anything.
const roleChunk = `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}`

// An answer that ends without text is still the model's answer: after the
// role chunk or Claude's message_start, its finish reason (stop_reason)
// goes out with it, as an empty answer's JSON body would.
func TestAStreamThatOpensAndFinishesWithoutTextIsStillAnAnswer(t *testing.T) {
	for kind, parts := range map[string][]string{
		upstream.KindOpenAI: {sseData(roleChunk), sseData(fmt.Sprintf(finishChunk, "broken")), sseData("[DONE]")},
		upstream.KindAnthropic: {
			sseNamed("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}`),
			sseNamed("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1}}`),
			sseNamed("message_stop", `{"type":"message_stop"}`),
		},
	} {
		for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages, upstream.APIResponses} {
			if kind == upstream.KindOpenAI && api == upstream.APIResponses {
				continue // chat chunks are no Responses stream
			}
			t.Run(kind+", "+string(api), func(t *testing.T) {
				m := newMisbehaving(t, kind, writes(http.StatusOK, "text/event-stream", parts...))
				out, rec := m.call(t, api, true)
				assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
				assert.True(t, out.Whole)
				assert.Len(t, out.Attempts, 1)
				assert.Contains(t, rec.Body.String(), "broken-id")
			})
		}
	}
}
