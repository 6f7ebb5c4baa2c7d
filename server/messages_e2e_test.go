package server

// End-to-end tests of the Anthropic Messages ingress: the official Anthropic
// Go SDK talks to the gateway over loopback HTTP, and the gateway forwards
// to the fake OpenAI provider (translated) or the fake Anthropic provider
// (passed through).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// anthropicClients returns Anthropic SDK clients for the gateway's two
// Messages paths; the SDK sends the key as x-api-key.
func (e *e2e) anthropicClients(opts ...aoption.RequestOption) map[string]anthropic.Client {
	base := []aoption.RequestOption{aoption.WithAPIKey(e2eKey), aoption.WithMaxRetries(0)}
	return map[string]anthropic.Client{
		"v1":           anthropic.NewClient(append(append(base, aoption.WithBaseURL(e.url)), opts...)...),
		"anthropic/v1": anthropic.NewClient(append(append(base, aoption.WithBaseURL(e.url+"/anthropic")), opts...)...),
	}
}

func helloParams(text string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model: "model-router", MaxTokens: 200,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))},
	}
}

// onlyModels restricts a call to the given models, as a client would with
// routing_config.
func onlyModels(ids ...string) aoption.RequestOption {
	return aoption.WithJSONSet("routing_config", map[string]any{"models": ids})
}

func messageDetails(t *testing.T, m *anthropic.Message) map[string]any {
	t.Helper()
	f, ok := m.JSON.ExtraFields["model_selection_details"]
	require.True(t, ok, "model_selection_details missing from %s", m.RawJSON())
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.Raw()), &d))
	return d
}

func TestE2EMessagesRoutedToAnOpenAIModel(t *testing.T) {
	e := newE2E(t)
	for name, client := range e.anthropicClients() {
		t.Run(name, func(t *testing.T) {
			msg, err := client.Messages.New(context.Background(), helloParams("What is the capital of France?"))
			require.NoError(t, err)
			assert.Equal(t, "mini", string(msg.Model), "Balanced picks mini; `model` names the model that answered")
			require.NotEmpty(t, msg.Content)
			assert.Equal(t, "Hello from mini.", msg.Content[0].Text)
			assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			assert.Positive(t, msg.Usage.InputTokens)
			assert.Positive(t, msg.Usage.OutputTokens)
			d := messageDetails(t, msg)
			assert.Equal(t, "mini", d["answered_model"])
			assert.Equal(t, "balanced", d["mode"])

			req := e.openai.RequestsFor("mini")
			require.NotEmpty(t, req)
			last := req[len(req)-1]
			assert.Equal(t, "/v1/chat/completions", last.Path, "an OpenAI model gets a Chat Completions call")
			assert.NotContains(t, string(last.Body), "routing_config")
		})
	}
	recs := e.log.waitFor(t, 2)
	for _, r := range recs {
		assert.Equal(t, string(openai.Messages), r.API)
		assert.Equal(t, "mini", r.Answered)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.Positive(t, r.Usage.CompletionTokens, "usage is logged")
	}
}

func TestE2EMessagesStreamFromAnOpenAIModel(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]
	stream := client.Messages.NewStreaming(context.Background(), helloParams("Say hello"))
	msg := anthropic.Message{}
	events := 0
	for stream.Next() {
		events++
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Greater(t, events, 4, "message_start, a text block and its deltas, message_delta, message_stop")
	assert.Equal(t, "mini", string(msg.Model))
	require.NotEmpty(t, msg.Content)
	assert.Equal(t, "Hello from mini.", msg.Content[0].Text)
	assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
	assert.Positive(t, msg.Usage.OutputTokens)
	rec := e.log.waitFor(t, 1)[0]
	assert.True(t, rec.Stream)
	assert.Equal(t, "mini", rec.Answered)
	assert.Positive(t, rec.Usage.CompletionTokens)
}

func TestE2EMessagesToClaudePassThrough(t *testing.T) {
	e := newE2E(t)
	// The client's own anthropic-version (not ours) and top_k (Anthropic's
	// alone) reach Claude untouched.
	client := e.anthropicClients(onlyModels("claude"), aoption.WithHeader("anthropic-beta", "prompt-caching-2024-07-31"),
		aoption.WithHeader("anthropic-version", "2023-06-01-client"), aoption.WithJSONSet("top_k", 7))["v1"]
	params := helloParams("Summarise this for me")

	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "claude", string(msg.Model))
	require.NotEmpty(t, msg.Content, "%s", msg.RawJSON())
	assert.Equal(t, "Hello from claude.", msg.Content[0].Text)
	assert.Equal(t, "claude", messageDetails(t, msg)["answered_model"])

	stream := client.Messages.NewStreaming(context.Background(), params)
	acc := anthropic.Message{}
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "claude", string(acc.Model))
	require.NotEmpty(t, acc.Content)
	assert.Equal(t, "Hello from claude.", acc.Content[0].Text)

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		var body map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &body))
		assert.Equal(t, "claude", body["model"])
		assert.EqualValues(t, 7, body["top_k"])
		assert.NotContains(t, body, "routing_config")
		assert.Equal(t, "prompt-caching-2024-07-31", r.Header.Get("anthropic-beta"))
		assert.Equal(t, "2023-06-01-client", r.Header.Get("anthropic-version"))
		assert.NotContains(t, r.Header.Get("x-api-key"), e2eKey, "the client's key never goes upstream")
	}
}

func TestE2EMessagesToolUseThroughTranslation(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}})
	client := e.anthropicClients()["v1"]
	params := helloParams("Weather in Paris?")
	params.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
		Name: "get_weather", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}},
	}}}
	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
	var use *anthropic.ToolUseBlock
	for _, b := range msg.Content {
		if b.Type == "tool_use" {
			u := b.AsToolUse()
			use = &u
		}
	}
	require.NotNil(t, use, "content %s", msg.RawJSON())
	assert.Equal(t, "get_weather", use.Name)
	assert.JSONEq(t, `{"city":"Paris"}`, string(use.Input))

	req := e.openai.RequestsFor("mini")
	require.NotEmpty(t, req)
	var body struct {
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		} `json:"tools"`
	}
	require.NoError(t, json.Unmarshal(req[len(req)-1].Body, &body))
	require.Len(t, body.Tools, 1)
	assert.Equal(t, "function", body.Tools[0].Type)
	assert.Equal(t, "get_weather", body.Tools[0].Function.Name)
}

func TestE2EMessagesFailoverIsVisible(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	client := e.anthropicClients()["v1"]
	msg, err := client.Messages.New(context.Background(), helloParams("hello"))
	require.NoError(t, err)
	assert.NotEqual(t, "mini", string(msg.Model))
	d := messageDetails(t, msg)
	assert.Equal(t, "mini", d["chosen_model"])
	tried, _ := d["fallbacks_tried"].([]any)
	require.Len(t, tried, 1)
	assert.Equal(t, "mini", tried[0].(map[string]any)["model"])
}

// anthropicError is the SDK's view of an error answer; the raw body must be
// Anthropic's shape.
func anthropicError(t *testing.T, err error) (*anthropic.Error, map[string]any) {
	t.Helper()
	var ae *anthropic.Error
	require.True(t, errors.As(err, &ae), "want an *anthropic.Error, got %v", err)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(ae.RawJSON()), &body), "body %s", ae.RawJSON())
	assert.Equal(t, "error", body["type"], "Anthropic's envelope: %s", ae.RawJSON())
	inner, ok := body["error"].(map[string]any)
	require.True(t, ok, "body %s", ae.RawJSON())
	return ae, inner
}

func TestE2EMessagesErrorsInAnthropicsShape(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]

	t.Run("bad key", func(t *testing.T) {
		c := anthropic.NewClient(aoption.WithBaseURL(e.url), aoption.WithAPIKey("sk-wrong"), aoption.WithMaxRetries(0))
		_, err := c.Messages.New(context.Background(), helloParams("hi"))
		ae, inner := anthropicError(t, err)
		assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
		assert.Equal(t, "authentication_error", inner["type"])
	})
	t.Run("unknown deployment", func(t *testing.T) {
		p := helloParams("hi")
		p.Model = "no-such-router"
		_, err := client.Messages.New(context.Background(), p)
		ae, inner := anthropicError(t, err)
		assert.Equal(t, http.StatusNotFound, ae.StatusCode)
		assert.Equal(t, "not_found_error", inner["type"])
		assert.Contains(t, inner["message"], "no-such-router")
	})
	t.Run("no model can carry a server tool", func(t *testing.T) {
		p := helloParams("search the web")
		p.Tools = []anthropic.ToolUnionParam{{OfWebSearchTool20250305: &anthropic.WebSearchTool20250305Param{}}}
		_, err := client.Messages.New(context.Background(), p, onlyModels("mini", "large"))
		ae, inner := anthropicError(t, err)
		assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
		assert.Equal(t, "invalid_request_error", inner["type"])
		assert.Contains(t, inner["message"], "web_search_20250305")
	})
	t.Run("every upstream fails", func(t *testing.T) {
		for _, m := range []string{"large", "mini", "nano"} {
			e.openai.Set(m, upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
		}
		e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
		_, err := client.Messages.New(context.Background(), helloParams("hi"))
		ae, inner := anthropicError(t, err)
		assert.Equal(t, http.StatusBadGateway, ae.StatusCode)
		assert.Equal(t, "api_error", inner["type"])
		assert.Contains(t, inner["message"], "every upstream model failed")
	})
}

func TestE2EMessagesBadBodyIsAnAnthropicError(t *testing.T) {
	e := newE2E(t)
	for _, tt := range []struct{ name, body, inMsg string }{
		{"not JSON", `{"model":`, "not a JSON object"},
		{"no max_tokens", `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`, "max_tokens"},
		{"no model", `{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, "'model'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, out := postMessages(t, e, http.MethodPost, "/v1/messages", tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "error", out["type"])
			inner, _ := out["error"].(map[string]any)
			require.NotNil(t, inner, "%v", out)
			assert.Equal(t, "invalid_request_error", inner["type"])
			assert.Contains(t, inner["message"], tt.inMsg)
		})
	}
}

func TestE2EMessagesStreamCutMidwayEndsWithAnErrorEvent(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{Reply: "one two three four five six", CutAfter: 3})
	client := e.anthropicClients()["v1"]
	stream := client.Messages.NewStreaming(context.Background(), helloParams("count"))
	for stream.Next() {
	}
	require.Error(t, stream.Err(), "the client must learn the answer is incomplete")
	assert.Contains(t, stream.Err().Error(), "upstream mini stream broke off")
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, http.StatusBadGateway, rec.Status)
}

func TestE2EMessagesCountTokens(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["anthropic/v1"]
	count := func(system, text string) int64 {
		p := anthropic.MessageCountTokensParams{
			Model:    "model-router",
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))},
		}
		if system != "" {
			p.System = anthropic.MessageCountTokensParamsSystemUnion{OfString: anthropic.String(system)}
		}
		res, err := client.Messages.CountTokens(context.Background(), p)
		require.NoError(t, err)
		return res.InputTokens
	}
	long := strings.Repeat("Tell me about the history of routers. ", 40)
	assert.EqualValues(t, EstimateTokensByChars([]string{"Be brief.\nhi"}), count("Be brief.", "hi"),
		"the gateway's own estimate over the system prompt and the messages")
	assert.EqualValues(t, EstimateTokensByChars([]string{long}), count("", long))
	assert.Empty(t, e.openai.Requests(), "counting forwards nothing")
	assert.Empty(t, e.log.all(), "and logs no decision")

	_, err := client.Messages.CountTokens(context.Background(), anthropic.MessageCountTokensParams{Model: "model-router"})
	ae, inner := anthropicError(t, err)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.Contains(t, inner["message"], "messages")
}

// postMessages sends a raw Messages body and decodes the answer or error.
func postMessages(t *testing.T, e *e2e, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-api-key", e2eKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return res.StatusCode, out
}

// TestE2EMessagesContentOnlyClaudeReads: search results and documents
// route to Claude and exclude the models a translation cannot carry them
// to, before any upstream is called.
func TestE2EMessagesContentOnlyClaudeReads(t *testing.T) {
	e := newE2E(t)
	const body = `{"model":"model-router","max_tokens":50,%s"messages":[{"role":"user","content":[
		{"type":"search_result","source":"https://example.com/a","title":"A","content":[{"type":"text","text":"abc"}]},
		{"type":"document","source":{"type":"text","media_type":"text/plain","data":"the report"}},
		{"type":"text","text":"summarise"}]}]}`
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", fmt.Sprintf(body, ""))
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, "claude", out["model"])

	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", fmt.Sprintf(body, `"routing_config":{"models":["mini","large"]},`))
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	inner := out["error"].(map[string]any)
	assert.Equal(t, "invalid_request_error", inner["type"])
	assert.Contains(t, inner["message"], "provider openai cannot carry search_result blocks")
	assert.Empty(t, e.openai.Requests(), "refused before any upstream call")
}

// TestE2EMessagesClientMistakesAre400: a malformed parameter is the
// client's error, found before routing, not a 502 after every model failed
// to translate it.
func TestE2EMessagesClientMistakesAre400(t *testing.T) {
	e := newE2E(t)
	for _, extra := range []string{`"stop_sequences":"END"`, `"tool_choice":"auto"`} {
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":50,"messages":[{"role":"user","content":"hi"}],`+extra+`}`)
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", extra, out)
		assert.Equal(t, "invalid_request_error", out["error"].(map[string]any)["type"])
	}
	for _, path := range []string{"/v1/messages/batches", "/anthropic/v1/messages/nope"} {
		status, out := postMessages(t, e, http.MethodPost, path, `{}`)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, "error", out["type"], "%s answers in Anthropic's shape: %v", path, out)
	}
	status, out := postMessages(t, e, http.MethodGet, "/v1/messages", "")
	assert.Equal(t, http.StatusMethodNotAllowed, status)
	assert.Equal(t, "error", out["type"], "%v", out)
	assert.Equal(t, "invalid_request_error", out["error"].(map[string]any)["type"])
	assert.Empty(t, e.openai.Requests())
}
