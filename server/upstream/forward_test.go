package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestForwardAnswersWithChosenModel(t *testing.T) {
	f := newFakes(t)
	a := openAIModel("model-a")
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, a, openAIModel("model-b"))

	c := openai.NewClient(option.WithBaseURL(g.URL), option.WithAPIKey("client-key"), option.WithMaxRetries(0))
	res, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "router", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("say hello to me")},
	})
	require.NoError(t, err)
	assert.Equal(t, "model-a-id", res.Model)
	assert.Equal(t, "Hello from model-a.", res.Choices[0].Message.Content)
	var details selection
	require.NoError(t, jsonUnmarshal(res.JSON.ExtraFields["model_selection_details"].Raw(), &details))
	assert.Equal(t, "model-a-id", details.Answered)

	out := g.outcome(t)
	assert.Equal(t, a.ID, out.Answered.ID)
	assert.Equal(t, 200, out.Status)
	assert.Equal(t, router.Usage{PromptTokens: 4, CompletionTokens: 3}, out.Usage)
	assert.True(t, out.Wrote)
	assert.NoError(t, out.Err)
	assert.Positive(t, out.FirstByte)
	assert.GreaterOrEqual(t, out.Total, out.FirstByte)

	reqs := f.openai.RequestsFor("model-a")
	require.Len(t, reqs, 1)
	assert.Equal(t, "Bearer sk-openai-test", reqs[0].Header.Get("Authorization"), "the provider key, not the client's")
	assert.Equal(t, "/v1/chat/completions", reqs[0].Path)
	assert.Empty(t, f.openai.RequestsFor("model-b"))
}

func TestForwardFailover(t *testing.T) {
	tests := []struct {
		name      string
		behavior  upstreamtest.Behavior
		wantFirst int // status recorded for the first model's attempt
	}{
		{"500 goes to the next model", upstreamtest.Behavior{FailStatus: 500}, 500},
		{"503 goes to the next model", upstreamtest.Behavior{FailStatus: 503}, 503},
		{"429 goes to the next model", upstreamtest.Behavior{FailStatus: 429}, 429},
		{"non-JSON 200 goes to the next model", upstreamtest.Behavior{FailStatus: 200, FailBody: "<html>"}, 200},
		// Refusals of the gateway, not of the request: its provider key
		// rejected or without access, a model its account does not serve.
		{"401 goes to the next model", upstreamtest.Behavior{FailStatus: 401}, 401},
		{"403 goes to the next model", upstreamtest.Behavior{FailStatus: 403}, 403},
		{"404 goes to the next model", upstreamtest.Behavior{FailStatus: 404}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.fwd.AttemptTimeout = 100 * time.Millisecond
			f.openai.Set("model-a", tt.behavior)
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))

			status, h, body := g.post(t, "/chat/completions", chatBody)
			require.Equal(t, 200, status, string(body))
			assert.Equal(t, "model-b-id", h.Get("x-modelrouter-model"))
			answer := decode(t, string(body))
			assert.Equal(t, "model-b-id", answer["model"])

			out := g.outcome(t)
			assert.Equal(t, "model-b-id", out.Answered.ID)
			require.Len(t, out.Attempts, 2)
			assert.Equal(t, "model-a-id", out.Attempts[0].Model)
			assert.Equal(t, tt.wantFirst, out.Attempts[0].Status)
			assert.NotEmpty(t, out.Attempts[0].Error)
			// Each attempt keeps the id the provider gave its request,
			// the failed one's too.
			assert.Equal(t, f.openai.RequestsFor("model-a")[0].RequestID, out.Attempts[0].UpstreamRequestID)
			assert.Equal(t, router.Attempt{Model: "model-b-id", Status: 200, Latency: out.Attempts[1].Latency,
				UpstreamRequestID: f.openai.RequestsFor("model-b")[0].RequestID}, out.Attempts[1])
			// The details the client saw already list the failed attempt.
			details := answer["model_selection_details"].(map[string]any)
			assert.Len(t, details["attempts"], 2)
		})
	}
}

func TestForwardClientErrorIsNotRetried(t *testing.T) {
	tests := []struct {
		name     string
		behavior upstreamtest.Behavior
		wantBody string
	}{
		{
			"JSON error passes through", upstreamtest.Behavior{FailStatus: 400},
			`{"error":{"message":"forced failure 400 for model-a","type":"invalid_request_error","param":null,"code":null}}`,
		},
		{
			"non-JSON error is wrapped in the OpenAI shape", upstreamtest.Behavior{FailStatus: 422, FailBody: "unprocessable entity"},
			`{"error":{"message":"upstream model-a-id returned HTTP 422: unprocessable entity","type":"upstream_error","param":null,"code":null}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("model-a", tt.behavior)
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
			status, h, body := g.post(t, "/chat/completions", chatBody)
			assert.Equal(t, tt.behavior.FailStatus, status)
			assert.Equal(t, "application/json", h.Get("Content-Type"))
			assert.JSONEq(t, tt.wantBody, string(body))
			assert.Empty(t, f.openai.RequestsFor("model-b"), "no failover on a client error")
			out := g.outcome(t)
			assert.True(t, out.Wrote)
			assert.Equal(t, tt.behavior.FailStatus, out.Status)
			assert.Equal(t, "model-a-id", out.Answered.ID)
			assert.Error(t, out.Err)
		})
	}
}

func TestForwardAllFail(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 503})
	f.openai.Set("model-b", upstreamtest.Behavior{FailStatus: 429})
	unconfigured := router.Model{ID: "llama-id", Name: "llama", Provider: "meta"}
	order := []router.Model{openAIModel("model-a"), unconfigured, openAIModel("model-b")}

	w := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), w, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: order})

	assert.False(t, out.Wrote)
	assert.Zero(t, w.Body.Len(), "nothing written: the server writes the error")
	assert.Empty(t, w.Header())
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
	assert.Equal(t, "every upstream model failed: model-a-id (HTTP 503), "+
		"llama-id (provider meta not configured: set MODELROUTER_UPSTREAM_META_BASE_URL), model-b-id (HTTP 429)", out.Err.Error())
	assert.Len(t, out.Attempts, 3)
	assert.Zero(t, out.Answered.ID)
}

// When every provider refuses the gateway itself (its key, its account's
// models), the 502 names each refusal with the provider's own words, so the
// operator knows which key or model to fix; the keys stay out of it.
func TestForwardAllRefusingTheGatewayNamesEachRefusal(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 401,
		FailBody: `{"error":{"message":"Incorrect API key provided: sk-openai-test","type":"invalid_request_error"}}`})
	f.openai.Set("model-b", upstreamtest.Behavior{FailStatus: 404})
	f.anthropic.Key = "sk-ant-rotated" // the gateway still sends sk-ant-test
	order := []router.Model{openAIModel("model-a"), openAIModel("model-b"), anthropicModel("claude-x")}

	w := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), w, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: order})

	assert.False(t, out.Wrote)
	assert.Zero(t, w.Body.Len(), "nothing written: the server writes the error")
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
	msg := out.Err.Error()
	assert.Contains(t, msg, "model-a-id (HTTP 401: Incorrect API key provided: [redacted])")
	assert.Contains(t, msg, "model-b-id (HTTP 404: forced failure 404 for model-b)")
	assert.Contains(t, msg, "claude-x-id (HTTP 401: invalid api key)")
	assert.NotContains(t, msg, "sk-openai-test")
	require.Len(t, out.Attempts, 3)
	for i, want := range []int{401, 404, 401} {
		assert.Equal(t, want, out.Attempts[i].Status)
		assert.NotContains(t, out.Attempts[i].Error, "sk-openai-test")
	}
	assert.Zero(t, out.Answered.ID)
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.True(t, re.Final, "asking again meets the same refusals: the client is told not to retry")
}

// A refusal beside a provider that failed is an ordinary 502: the failing
// provider may answer the client's retry.
func TestForwardARefusalBesideAFailingProviderMayBeRetried(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 401})
	f.openai.Set("model-b", upstreamtest.Behavior{FailStatus: 503})
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{openAIModel("model-a"), openAIModel("model-b")},
	})
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, "every upstream model failed: model-a-id (HTTP 401: forced failure 401 for model-a), model-b-id (HTTP 503)", out.Err.Error())
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.False(t, re.Final)
}

func TestForwardDeadline(t *testing.T) {
	f := newFakes(t)
	f.fwd.Deadline = 150 * time.Millisecond
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true})
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{openAIModel("model-a"), openAIModel("model-b")},
	})
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
	assert.Contains(t, out.Err.Error(), "the 150ms deadline ran out")
	assert.Len(t, out.Attempts, 1, "no new attempt after the deadline")
	assert.Less(t, out.Total, 2*time.Second)
}

func TestForwardNoModels(t *testing.T) {
	f := newFakes(t)
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatBody)})
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
	assert.False(t, out.Wrote)
}

func TestForwardKeysNeverLeak(t *testing.T) {
	f := newFakes(t)
	key := f.openai.Key
	// An upstream that echoes the key in its errors, as some do.
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 401, FailBody: "Incorrect API key provided: " + key})
	f.openai.Set("model-b", upstreamtest.Behavior{FailStatus: 503, FailBody: "down; your key " + key})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"))
	_, _, body := g.post(t, "/chat/completions", chatBody)
	assert.NotContains(t, string(body), key)
	assert.Contains(t, string(body), "[redacted]")
	g.outcome(t)

	// And in the all-failed error, with a provider that cannot be reached.
	f.fwd.Providers.ByName["xai"] = upstream.Provider{Name: "xai", Kind: "openai", BaseURL: "http://127.0.0.1:1/" + key, APIKey: key}
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody),
		Order: []router.Model{openAIModel("model-b"), {ID: "grok", Name: "grok", Provider: "xai"}},
	})
	require.Error(t, out.Err)
	assert.NotContains(t, out.Err.Error(), key)
	for _, a := range out.Attempts {
		assert.NotContains(t, a.Error, key)
	}
	assert.Contains(t, out.Err.Error(), "grok (connection error")
}

func TestForwardAzure(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	fake.Key = "az-key"
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
		"AZURE_OPENAI_ENDPOINT": fake.Root, "AZURE_OPENAI_API_KEY": "az-key", "OPENAI_API_VERSION": "2025-01-01",
	}))}
	g := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("gpt-dep"))
	status, _, body := g.post(t, "/chat/completions", chatBody)
	require.Equal(t, 200, status, string(body))
	assert.Equal(t, "gpt-dep-id", decode(t, string(body))["model"])
	reqs := fake.RequestsFor("gpt-dep")
	require.Len(t, reqs, 1)
	assert.Equal(t, "/openai/deployments/gpt-dep/chat/completions", reqs[0].Path)
	assert.Equal(t, "api-version=2025-01-01", reqs[0].Query)
	assert.Equal(t, "az-key", reqs[0].Header.Get("api-key"))
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
	g.outcome(t)
}

func TestForwardDropsParamsUpstream(t *testing.T) {
	f := newFakes(t)
	m := openAIModel("o-mini")
	m.Capabilities.Reasoning = true
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, m)
	status, _, _ := g.post(t, "/chat/completions",
		`{"model":"router","temperature":0.2,"max_tokens":9,"routing_config":{"mode":"cost"},"messages":[{"role":"user","content":"x"}]}`)
	require.Equal(t, 200, status)
	sent := decode(t, string(f.openai.RequestsFor("o-mini")[0].Body))
	assert.NotContains(t, sent, "temperature")
	assert.NotContains(t, sent, "routing_config")
	assert.NotContains(t, sent, "max_tokens")
	assert.EqualValues(t, 9, sent["max_completion_tokens"])
	g.outcome(t)
}

// A Responses call Claude cannot take (a built-in tool) goes on to the
// next model, which gets it as the client sent it.
func TestForwardResponsesAPI(t *testing.T) {
	f := newFakes(t)
	claude := anthropicModel("claude-x")
	g := newGateway(t, f.fwd, upstream.APIResponses, claude, openAIModel("model-a"))
	status, _, body := g.post(t, "/responses", `{"model":"router","input":"one two three","tools":[{"type":"web_search_preview"}]}`)
	require.Equal(t, 200, status, string(body))
	resp := decode(t, string(body))
	assert.Equal(t, "model-a-id", resp["model"])
	out := g.outcome(t)
	assert.Equal(t, router.Usage{PromptTokens: 3, CompletionTokens: 3}, out.Usage)
	require.Len(t, out.Attempts, 2)
	assert.Equal(t, `tool type "web_search_preview" is not supported by claude-x-id`, out.Attempts[0].Error)
	assert.Empty(t, f.anthropic.Requests())
	assert.Equal(t, "/v1/responses", f.openai.Requests()[0].Path)
}

func TestForwardRejectsBadBody(t *testing.T) {
	f := newFakes(t)
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(`not json`), Order: []router.Model{openAIModel("model-a")},
	})
	require.Error(t, out.Err)
	assert.False(t, out.Wrote)
	assert.Empty(t, f.openai.Requests(), "a body that cannot be rewritten is never sent")
	assert.True(t, strings.Contains(out.Attempts[0].Error, "JSON object"))
}

// assertModelBAnsweredAfter checks that the first model's refusal (its
// HTTP status, an error containing part) failed over: model-b answered.
func assertModelBAnsweredAfter(t *testing.T, out upstream.Outcome, status int, part string) {
	t.Helper()
	require.NoError(t, out.Err)
	assert.Equal(t, http.StatusOK, out.Status)
	assert.Equal(t, "model-b-id", out.Answered.ID)
	require.Len(t, out.Attempts, 2)
	assert.Equal(t, status, out.Attempts[0].Status)
	assert.Contains(t, out.Attempts[0].Error, part)
}

// A provider's 402 is the gateway's own account out of credit (OpenRouter's
// "Insufficient credits"): the client pays the gateway, not the provider,
// so the next model answers rather than the client's SDK reporting a
// billing error on its own key.
func TestForwardAProvidersPaymentRequiredFailsOver(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 402,
		FailBody: `{"error":{"message":"Insufficient credits. Add more using https://openrouter.ai/settings/credits","code":402}}`})
	w := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), w, upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{openAIModel("model-a"), openAIModel("model-b")},
	})
	assertModelBAnsweredAfter(t, out, 402, "Insufficient credits")

	only := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{openAIModel("model-a")},
	})
	assert.Equal(t, http.StatusBadGateway, only.Status, "the client's key is not the one out of credit")
	var re *router.Error
	require.ErrorAs(t, only.Err, &re)
	assert.True(t, re.Final, "asking again meets the same empty account")
	assert.Contains(t, re.Message, "refused the gateway (its provider key, its account's credit, or a model its account does not serve)",
		"the operator is told what to fix, which for a 402 is the account's credit")
}

// Anthropic says the same of its account as a 400 invalid_request_error,
// not a 402: the gateway's key is out of credit, not the client's request
// at fault, so the next model answers rather than the client's SDK
// raising a BadRequestError about a balance it does not have.
func TestForwardAnthropicsCreditBalanceTooLowFailsOver(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{FailStatus: 400,
		FailBody: `{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}`})
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{anthropicModel("claude-x"), openAIModel("model-b")},
	})
	assertModelBAnsweredAfter(t, out, 400, "credit balance is too low")
}
