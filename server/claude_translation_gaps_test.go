package server

// What a Chat Completions or Responses call asks for that Claude, reached
// through a translation, cannot give: such calls go to a model that can,
// and where none can, the client gets a 400, not a 502 to retry.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postRaw sends body to the e2e gateway with the e2e key and returns the
// status and body.
func postRaw(t *testing.T, e *e2e, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	return requestAs(t, e, method, path, e2eKey, body, nil)
}

// requestAs is postRaw with key as the bearer key (an admin key, for the
// management API) and header's values set on the request too.
func requestAs(t *testing.T, e *e2e, method, path, key, body string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for name, values := range header {
		req.Header[name] = values
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// claudeFirst restricts a call to Claude and mini in Quality mode, where
// the test predictions rank Claude (0.895) above mini (0.89): Claude is
// chosen, mini is the fallback that can honour OpenAI-only features.
const claudeFirst = `"routing_config":{"models":["claude","mini"],"mode":"quality"}`

// The legacy `functions` / `function_call` parameters (still in the API and
// the SDKs) have no Messages form: a model that takes them answers, not
// Claude, which would answer in text and never call the forced function.
func TestLegacyFunctionsAreNotSentToClaudeWithoutThem(t *testing.T) {
	e := newE2E(t)
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router",`+claudeFirst+`,
		"functions":[{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}],
		"function_call":{"name":"get_weather"},
		"messages":[{"role":"user","content":"Weather in Paris?"}]}`)
	require.Equal(t, http.StatusOK, st, "%s", body)
	assert.Equal(t, "mini", modelOf(t, body))
	assert.Empty(t, e.anthropic.Requests(), "Claude is left out before routing")
}

func modelOf(t *testing.T, body []byte) string {
	t.Helper()
	var resp struct {
		Model string `json:"model"`
	}
	require.NoError(t, json.Unmarshal(body, &resp), "%s", body)
	return resp.Model
}

// OpenAI answers a Chat conversation that ends with an assistant message
// with a new turn; Claude would take that message as a prefill and
// continue it (newer Claude models refuse it). So, as on Responses, the
// next model answers.
func TestChatEndingWithAnAssistantTurnIsNotAClaudePrefill(t *testing.T) {
	e := newE2E(t)
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router",`+claudeFirst+`,
		"messages":[{"role":"user","content":"Tell me a joke"},{"role":"assistant","content":"Why did the chicken cross the road? To get to the other side."}]}`)
	require.Equal(t, http.StatusOK, st, "%s", body)
	assert.Equal(t, "mini", modelOf(t, body))
	for _, r := range e.anthropic.Requests() {
		assert.Equal(t, "user", lastRole(t, r.Body),
			"Claude got a conversation ending with an assistant turn, which it continues as a prefill: %s", r.Body)
	}
}

// lastRole is the role of the last message a provider was sent.
func lastRole(t *testing.T, body []byte) string {
	t.Helper()
	var sent struct {
		Messages []struct {
			Role string `json:"role"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &sent))
	require.NotEmpty(t, sent.Messages)
	return sent.Messages[len(sent.Messages)-1].Role
}

// Parameters the translation to Claude cannot carry, whose loss would
// change the answer the client asked for, leave Claude out before routing:
// the reference drops `logprobs` only for o-series models, and Claude is
// not one.
func TestClaudeIsNotChosenForWhatItsTranslationDrops(t *testing.T) {
	for name, extra := range map[string]string{
		"logprobs":                `"logprobs":true,"top_logprobs":3`,
		"audio output":            `"modalities":["text","audio"],"audio":{"voice":"alloy","format":"wav"}`,
		"logit_bias":              `"logit_bias":{"50256":-100}`,
		"web search":              `"web_search_options":{}`,
		"legacy function history": `"functions":[{"name":"f"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
				`{"model":"model-router",`+claudeFirst+`,`+extra+`,"messages":[{"role":"user","content":"hi"}]}`)
			require.Equal(t, http.StatusOK, st, "%s", body)
			assert.Equal(t, "mini", modelOf(t, body), "Claude would have answered without %s", name)
		})
	}
}

// Token log probabilities, asked for on Chat (logprobs) or Responses
// (top_logprobs, include), leave Claude out: with it alone, a 400.
func TestLogprobsLeaveClaudeOut(t *testing.T) {
	e := newE2E(t)
	rc := `"routing_config":{"models":["claude"],"require_parameters":true}`
	for path, body := range map[string]string{
		"/v1/chat/completions": `{"model":"model-router",` + rc + `,"logprobs":true,"messages":[{"role":"user","content":"hi"}]}`,
		"/v1/responses":        `{"model":"model-router",` + rc + `,"top_logprobs":3,"input":"hi"}`,
		"/v1/responses ":       `{"model":"model-router",` + rc + `,"include":["message.output_text.logprobs"],"input":"hi"}`,
	} {
		st, _, out := postRaw(t, e, http.MethodPost, strings.TrimSpace(path), body)
		assert.Equal(t, http.StatusBadRequest, st, "%s: Claude answered a require_parameters call it cannot honour: %.300s", path, out)
	}
	assert.Len(t, e.anthropic.Requests(), 0, "nothing reaches Claude")
}

// A request no model here can take (n > 1, a JSON response_format or a
// wrongly typed field, with Claude the only candidate) is the client's
// 400 invalid_request_error, as OpenAI answers it: a 5xx would tell the
// client to retry (the OpenAI SDKs retry it twice).
func TestARequestNoModelCanTakeIsA400(t *testing.T) {
	e := newE2E(t)
	only := `"routing_config":{"models":["claude"]}`
	for name, extra := range map[string]string{
		"n=2":         `"n":2`,
		"json_object": `"response_format":{"type":"json_object"}`,
		"bad type":    `"temperature":"hot"`,
	} {
		st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
			`{"model":"model-router",`+only+`,`+extra+`,"messages":[{"role":"user","content":"hi"}]}`)
		assert.Equal(t, http.StatusBadRequest, st, "%s: %s", name, body)
		if st != http.StatusOK {
			assert.Equal(t, "invalid_request_error", errorOf(t, body).Error.Type, name)
		}
	}
}

// An assistant message's `refusal` (the field OpenAI's own answers carry,
// which the SDKs send back in the history) reaches Claude as that turn's
// text, so Claude knows the turn refused.
func TestClaudeKeepsAnAssistantRefusalInTheHistory(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	refused := openai.ChatCompletionMessage{Role: "assistant", Refusal: "I can't help with that."}
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("How do I pick a lock?"),
			refused.ToParam(),
			openai.UserMessage("Why not?"),
		},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	require.NoError(t, err)
	reqs := e.anthropic.Requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), "I can't help with that.",
		"the refusal turn is missing from what Claude got: %s", reqs[0].Body)
}

// OpenAI's `moderation` (a moderation model run on the call's input and
// answer, blocking what it flags in mode block) has no Messages form:
// Claude would answer unmoderated while the client believes its guard is
// on. Such a call goes to a model whose API runs it, on Chat Completions
// and Responses alike, and with Claude alone it is a 400 naming the
// parameter.
func TestModerationLeavesClaudeOut(t *testing.T) {
	const mod = `"moderation":{"model":"omni-moderation-latest","policy":{"input":{"mode":"block"},"output":{"mode":"block"}}}`
	for path, input := range map[string]string{
		"/v1/chat/completions": `"messages":[{"role":"user","content":"hi"}]`,
		"/v1/responses":        `"input":"hi"`,
	} {
		t.Run(path, func(t *testing.T) {
			e := newE2E(t)
			st, _, body := postRaw(t, e, http.MethodPost, path, `{"model":"model-router",`+claudeFirst+`,`+mod+`,`+input+`}`)
			require.Equal(t, http.StatusOK, st, "%s", body)
			assert.Equal(t, "mini", modelOf(t, body), "Claude would have answered unmoderated")
			got := e.openai.Requests()
			require.Len(t, got, 1)
			assert.Contains(t, string(got[0].Body), `"moderation":{"model":"omni-moderation-latest"`, "OpenAI's model gets it as sent")

			st, _, body = postRaw(t, e, http.MethodPost, path, `{"model":"model-router","routing_config":{"models":["claude"]},`+mod+`,`+input+`}`)
			require.Equal(t, http.StatusBadRequest, st, "%s", body)
			assert.Contains(t, errorOf(t, body).Error.Message, "cannot carry moderation")
			assert.Empty(t, e.anthropic.Requests(), "nothing reaches Claude")
		})
	}
}

// Nor does a server of one's own behind an OpenAI-compatible base URL run
// OpenAI's moderation (vLLM and Ollama read no such member and answer
// unmoderated): such a call goes to OpenAI's API, and with only that
// server's model it is a 400 that names the parameter and the declaration
// for a proxy in front of OpenAI's API.
func TestModerationStaysOffServersThatAreNotOpenAIs(t *testing.T) {
	const mod = `"moderation":{"model":"omni-moderation-latest","policy":{"output":{"mode":"block"}}}`
	for path, input := range map[string]string{
		"/v1/chat/completions": `"messages":[{"role":"user","content":"hi"}]`,
		"/v1/responses":        `"input":"hi"`,
	} {
		t.Run(path, func(t *testing.T) {
			e, own := newE2EWithOpenAIKind(t, "selfhosted", "local", "OpenAI")
			st, _, body := postRaw(t, e, http.MethodPost, path, `{"model":"model-router",`+input+`}`)
			require.Equal(t, http.StatusOK, st, "%s", body)
			require.Equal(t, "local", modelOf(t, body), "without moderation the server of one's own answers")

			st, _, body = postRaw(t, e, http.MethodPost, path, `{"model":"model-router",`+mod+`,`+input+`}`)
			require.Equal(t, http.StatusOK, st, "%s", body)
			assert.NotEqual(t, "local", modelOf(t, body), "the server of one's own would answer unmoderated")
			assert.Equal(t, 1, len(own.Requests()), "only the call without moderation reached it")

			st, _, body = postRaw(t, e, http.MethodPost, path, `{"model":"model-router","routing_config":{"models":["local"]},`+mod+`,`+input+`}`)
			require.Equal(t, http.StatusBadRequest, st, "%s", body)
			msg := errorOf(t, body).Error.Message
			assert.Contains(t, msg, "moderation is run by OpenAI's API")
			assert.Contains(t, msg, `"openai_api": true`)
			assert.Equal(t, 1, len(own.Requests()), "nothing more reached it")
		})
	}
}
