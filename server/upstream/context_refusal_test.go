package upstream_test

// The router sends a prompt only to models whose catalog context window
// holds it, but a server of one's own is often started with a smaller one
// (llama.cpp's -c, vLLM's --max-model-len, Ollama's num_ctx): it refuses
// the prompt with a 400 of its own. That is the deployment's setup, not a
// request no model can take: while another model is left, it is asked, and
// the model, which still takes shorter prompts, stays healthy. The last
// model's refusal reaches the client as the gateway's context_length_exceeded.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

var contextRefusals = []struct {
	server, body string
	status       int
}{
	// llama-server's exceed_context_size_error.
	{"llama.cpp", `{"error":{"code":400,"message":"request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9412,"n_ctx":8192}}`, http.StatusBadRequest},
	// vLLM's, nested since its ErrorResponse{error: ErrorInfo}.
	{"vLLM", `{"error":{"message":"This model's maximum context length is 8192 tokens. However, you requested 9412 tokens (9000 in the messages, 412 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}}`, http.StatusBadRequest},
	// The same from a vLLM that puts the error's members at the top, as SGLang does.
	{"flat", `{"object":"error","message":"This model's maximum context length is 8192 tokens. However, you requested 9412 tokens in the messages. Please reduce the length of the messages.","type":"BadRequestError","param":null,"code":400}`, http.StatusBadRequest},
	// The wording other servers and proxies use.
	{"requested token count", `{"object":"error","message":"Requested token count exceeds the model's maximum context length of 8192 tokens. You requested a total of 9412 tokens.","type":"BadRequestError","param":null,"code":400}`, http.StatusBadRequest},
	// OpenAI's code, which other servers copy.
	{"OpenAI's code", `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`, http.StatusBadRequest},
	// TGI's router validates inputs and max_new_tokens against its --max-total-tokens.
	{"TGI", `{"error":"Input validation error: ` + "`inputs` tokens + `max_new_tokens`" + ` must be <= 4096. Given: 4000 ` + "`inputs`" + ` tokens and 500 ` + "`max_new_tokens`" + `","error_type":"validation"}`, http.StatusUnprocessableEntity},
}

func TestAPromptTooLongForAServersOwnContextWindowFailsOver(t *testing.T) {
	for _, tc := range contextRefusals {
		t.Run(tc.server, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(tc.status, "application/json", tc.body))
			m.fwd.Health = &upstream.Health{}
			for range 5 {
				out, rec := m.call(t, upstream.APIChatCompletions, false)
				require.Equal(t, m.good.ID, out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
				require.Len(t, out.Attempts, 2)
				assert.Contains(t, out.Attempts[0].Error, "context window", "the decision log says why")
			}
			assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "it still takes shorter prompts")
		})
	}
}

// The last model's refusal is the gateway's context_length_exceeded, for
// the caller to write in the client API's shape (the server's tests read
// it as clients do), with the server's message: whatever status and shape
// the server used (TGI's 422), it is what clients trim and retry on.
func TestTheLastModelsContextRefusalIsContextLengthExceeded(t *testing.T) {
	for _, tc := range contextRefusals {
		t.Run(tc.server, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(tc.status, "application/json", tc.body))
			out, rec := m.call(t, upstream.APIChatCompletions, false, m.bad)
			re := m.refusedAsTheGateway(t, out, rec, router.ReasonContextLength)
			assert.Contains(t, tc.body, re.Message, "the server's own message")
			assert.NotEmpty(t, re.Message)
		})
	}
}

// Any other 400 is the client's request, which another model would refuse
// too: it is not shopped around.
func TestAnotherClientErrorDoesNotFailOver(t *testing.T) {
	body := `{"error":{"message":"'messages' must contain at least one message","type":"invalid_request_error","param":"messages","code":null}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", body))
	out, _ := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.Equal(t, m.bad.ID, out.Answered.ID)
	assert.Len(t, out.Attempts, 1)
}

// A model that failed in a way a retry may clear (down, a 5xx, a 429) may
// take the prompt the next time: the last model's context refusal is then
// not the answer, and the client gets the usual 502, which it retries,
// rather than context_length_exceeded, which would have it trim a prompt
// that fits.
func TestTheLastModelsContextRefusalAfterAnOutageIsTheUsual502(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", contextRefusals[0].body))
	down := m.good
	down.Provider = "down"
	m.fwd.ByName["down"] = upstream.Provider{Name: "down", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1", APIKey: "sk-down"}
	out, rec := m.call(t, upstream.APIChatCompletions, false, down, m.bad)
	assert.Equal(t, http.StatusBadGateway, out.Status, "%s", rec.Body.String())
	assert.False(t, out.Refused)
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.Equal(t, router.EUpstream, re.Code)
	assert.False(t, re.Final, "worth a retry")
	assert.Contains(t, re.Message, "context window", "the refusal is listed with the others")
}

// vLLM names the client's max_tokens when it is what leaves the prompt no
// room: another model with a larger window may take it, but the last
// model's refusal is the server's own 400, as sent, not a code that has
// the client trim a prompt of a few tokens.
func TestTheLastModelsRefusalOfMaxTokensReachesTheClientAsSent(t *testing.T) {
	body := `{"error":{"message":"'max_tokens' or 'max_completion_tokens' is too large: 10000. This model's maximum context length is 8192 tokens and your request has 12 input tokens (10000 > 8192 - 12).","type":"BadRequestError","param":null,"code":400}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", body))
	out, _ := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, m.good.ID, out.Answered.ID, "another model is asked")

	out, rec := m.call(t, upstream.APIChatCompletions, false, m.bad)
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.True(t, out.Wrote)
	assert.JSONEq(t, body, rec.Body.String())
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.NotEqual(t, router.ReasonContextLength, re.Reason)
}
