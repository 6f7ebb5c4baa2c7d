package server

// Routing controls through the HTTP API: a real gateway on loopback, the
// real upstream Forwarder talking to fake OpenAI and Anthropic providers,
// the real rate limiter on an injected clock, and a fixed predictor whose
// qualities make every mode's choice known in advance.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/ratelimit"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The control catalog. Prices order the models tiny < mid < reasoner <
// claude < big; predicted qualities are big .90, reasoner .89, mid .86,
// tiny .85, claude .70. So Quality picks big, Balanced (2 % band, >= .882)
// picks reasoner, Cost (6 % band, >= .846) picks tiny. Capabilities differ
// so that each filter moves the choice somewhere else:
//
//	big       tools, vision, structured output
//	reasoner  reasoning, tools, structured output (no vision)
//	mid       tools only
//	tiny      nothing, and a 4,096-token context window
//	claude    tools, vision, structured output (Anthropic)
const ctlVersion = "2025-11-18"

func ctlModel(name, provider, format string, in, out float64, window int, caps router.Capabilities) router.Model {
	return router.Model{
		Format: format, Name: name, Version: "2025", ID: name + "-2025", UpstreamModel: name, Provider: provider, Profile: "p-" + name,
		InputPerMTok: in, OutputPerMTok: out, ContextWindow: window, MaxOutput: 32_000, Capabilities: caps,
	}
}

func ctlCatalog() router.Catalog {
	return router.Catalog{Latest: ctlVersion, Versions: []router.Version{{Version: ctlVersion, Models: []router.Model{
		ctlModel("big", "openai", "OpenAI", 5, 20, 64_000, router.Capabilities{Tools: true, Vision: true, StructuredOutput: true}),
		ctlModel("reasoner", "openai", "OpenAI", 1, 4, 64_000, router.Capabilities{Reasoning: true, Tools: true, StructuredOutput: true}),
		ctlModel("mid", "openai", "OpenAI", 0.4, 1.6, 64_000, router.Capabilities{Tools: true}),
		ctlModel("tiny", "openai", "OpenAI", 0.05, 0.2, 4_096, router.Capabilities{}),
		ctlModel("claude", "anthropic", "Anthropic", 3, 15, 64_000, router.Capabilities{Tools: true, Vision: true, StructuredOutput: true}),
	}}}}
}

func ctlPrediction() router.Prediction {
	return router.Prediction{
		"p-big": {Quality: 0.90, OutputTokens: 100}, "p-reasoner": {Quality: 0.89, OutputTokens: 100},
		"p-mid": {Quality: 0.86, OutputTokens: 100}, "p-tiny": {Quality: 0.85, OutputTokens: 100},
		"p-claude": {Quality: 0.70, OutputTokens: 100},
	}
}

// ctlClock is the rate limiter's clock, moved by hand.
type ctlClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *ctlClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ctlClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ctlGateway is a gateway on loopback with its fakes.
type ctlGateway struct {
	url       string
	openai    *upstreamtest.Fake
	anthropic *upstreamtest.Fake
	clock     *ctlClock
}

type ctlOptions struct {
	predictor   router.Predictor
	deployments StaticDeployments
	rateLimits  bool
	agentOpenAI bool
	// affinityTTL, when set, is the router's session affinity TTL on the
	// gateway's fake clock.
	affinityTTL time.Duration
}

func newCtlGateway(t *testing.T, o ctlOptions) *ctlGateway {
	t.Helper()
	g := &ctlGateway{openai: upstreamtest.NewOpenAI(t), anthropic: upstreamtest.NewAnthropic(t),
		clock: &ctlClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: g.openai.URL, APIKey: "sk-up-openai"},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: g.anthropic.Root, APIKey: "sk-up-anthropic"},
	}}
	if o.predictor == nil {
		o.predictor = &routertest.Predictor{Fixed: ctlPrediction()}
	}
	rc := router.Config{Catalog: ctlCatalog(), Predictor: o.predictor, Available: ps.Available}
	if o.affinityTTL > 0 {
		rc.AffinityTTL, rc.Now = o.affinityTTL, g.clock.Now
	}
	rt, err := router.New(rc)
	require.NoError(t, err)
	deps := append(StaticDeployments{DefaultDeployment(ctlVersion)}, o.deployments...)
	cfg := Config{
		Router: rt, Forwarder: &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second},
		Supports: ps.Supports, Available: ps.Available, Deployments: deps, Log: &recordLog{},
		AgentToolsOpenAIOnly: o.agentOpenAI,
	}
	if o.rateLimits {
		cfg.Limiter = ratelimit.New(g.clock.Now)
	}
	hs := httptest.NewServer(New(cfg).Handler())
	t.Cleanup(hs.Close)
	g.url = hs.URL
	return g
}

// post sends body to path over HTTP and returns the response with its body read.
func (g *ctlGateway) post(t *testing.T, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.url+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// ctlAnswer is what a client reads of a routed answer.
type ctlAnswer struct {
	Model string `json:"model"`
	Usage struct {
		TotalTokens int `json:"total_tokens"`
	} `json:"usage"`
	Details struct {
		Mode          string `json:"mode"`
		ChosenModel   string `json:"chosen_model"`
		AnsweredModel string `json:"answered_model"`
		Affinity      bool   `json:"session_affinity"`
		Candidates    []struct {
			Model  string `json:"model"`
			Rank   int    `json:"rank"`
			Reason string `json:"reason"`
		} `json:"candidates"`
	} `json:"model_selection_details"`
}

func answerOf(t *testing.T, body []byte) ctlAnswer {
	t.Helper()
	var a ctlAnswer
	require.NoError(t, json.Unmarshal(body, &a), "answer %s", body)
	return a
}

// reasons maps each candidate to why it won or lost.
func (a ctlAnswer) reasons() map[string]string {
	out := map[string]string{}
	for _, c := range a.Details.Candidates {
		out[c.Model] = c.Reason
	}
	return out
}

// chat builds a chat completions body for model-router with the given user
// content (a JSON value) and extra top-level fields (`,"k":v` ...).
func chat(content, extra string) string {
	return `{"model":"model-router","messages":[{"role":"user","content":` + content + `}]` + extra + `}`
}

// words is a prompt of n distinct-looking words (about 1.5 tokens each by
// the server's chars/4 estimate).
func words(n int) string { return strings.TrimSpace(strings.Repeat("lorem ", n)) }

const hello = `"Plan a weekend in Lisbon"`

func TestRoutingControlsOverHTTP(t *testing.T) {
	tools := `,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]`
	image := `[{"type":"text","text":"What is in this picture?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]`
	schema := `,"response_format":{"type":"json_schema","json_schema":{"name":"trip","schema":{"type":"object"}}}`
	// 12,000 characters = 3,000 tokens by chars/4: with 2,000 tokens of
	// output it overflows tiny's 4,096-token window, nobody else's.
	longish := strconv.Quote(strings.Repeat("abcd ", 2400))
	// 300,000 characters = 75,000 tokens: more than any model's 64,000.
	huge := strconv.Quote(strings.Repeat("abcd ", 60_000))

	tests := []struct {
		name       string
		deployment string // default model-router
		body       string
		status     int
		// For answers: the model that answers, in which mode, and the
		// candidates excluded with (part of) their reason.
		model    string
		mode     string
		excluded map[string]string
		// For errors: OpenAI error code, param, message parts and the
		// candidates the error lists with (part of) their reasons.
		code       string
		param      string
		inMsg      []string
		candidates map[string]string
	}{
		// Modes.
		{name: "deployment default mode is balanced", body: chat(hello, ""), status: 200, model: "reasoner-2025", mode: "balanced"},
		{name: "mode quality picks the best predicted", body: chat(hello, `,"routing_config":{"mode":"quality"}`), status: 200, model: "big-2025", mode: "quality"},
		{name: "mode balanced picks the cheapest within 2%", body: chat(hello, `,"routing_config":{"mode":"balanced"}`), status: 200, model: "reasoner-2025", mode: "balanced"},
		{name: "mode cost picks the cheapest within 6%", body: chat(hello, `,"routing_config":{"mode":"cost"}`), status: 200, model: "tiny-2025", mode: "cost"},
		{name: "mode in any case", body: chat(hello, `,"routing_config":{"mode":"Quality"}`), status: 200, model: "big-2025", mode: "quality"},
		{name: "deployment's own mode", deployment: "cheap", body: chat(hello, ""), status: 200, model: "tiny-2025", mode: "cost"},
		{name: "request mode overrides the deployment's", deployment: "cheap", body: chat(hello, `,"routing_config":{"mode":"quality"}`), status: 200, model: "big-2025", mode: "quality"},
		{name: "unknown mode", body: chat(hello, `,"routing_config":{"mode":"fastest"}`), status: 400,
			code: router.EInvalid, param: "routing_config.mode", inMsg: []string{`"fastest"`, "valid modes: balanced, quality, cost"}},
		{name: "mode of the wrong type", body: chat(hello, `,"routing_config":{"mode":3}`), status: 400,
			code: router.EInvalid, param: "routing_config.mode", inMsg: []string{"valid modes: balanced, quality, cost"}},

		// Subsets.
		{name: "models narrows by name and by ID", body: chat(hello, `,"routing_config":{"models":["big","tiny-2025"]}`), status: 200, model: "big-2025", mode: "balanced"},
		{name: "models narrows under quality", body: chat(hello, `,"routing_config":{"mode":"quality","models":["mid","tiny"]}`), status: 200, model: "mid-2025", mode: "quality"},
		{name: "models within a deployment subset", deployment: "pair", body: chat(hello, `,"routing_config":{"models":["mid"]}`), status: 200, model: "mid-2025", mode: "balanced"},
		{name: "deployment subset alone", deployment: "pair", body: chat(hello, ""), status: 200, model: "tiny-2025", mode: "balanced"},
		{name: "models cannot widen the deployment's subset", deployment: "pair", body: chat(hello, `,"routing_config":{"models":["big"]}`), status: 400,
			code: router.EInvalid, param: "routing_config.models", inMsg: []string{`"big"`, "valid models: mid-2025, tiny-2025"}},
		{name: "models naming no catalog model", body: chat(hello, `,"routing_config":{"models":["gpt-7"]}`), status: 400,
			code: router.EInvalid, param: "routing_config.models", inMsg: []string{`"gpt-7"`, "valid models: big-2025, reasoner-2025, mid-2025, tiny-2025, claude-2025"}},
		{name: "models of the wrong type", body: chat(hello, `,"routing_config":{"models":"big"}`), status: 400,
			code: router.EInvalid, param: "routing_config.models", inMsg: []string{"array"}},

		// require_parameters.
		{name: "temperature alone keeps the reasoning model (it is dropped upstream)", body: chat(hello, `,"temperature":0.2`), status: 200, model: "reasoner-2025", mode: "balanced"},
		{name: "require_parameters with temperature excludes reasoning models", body: chat(hello, `,"temperature":0.2,"routing_config":{"require_parameters":true}`),
			status: 200, model: "big-2025", mode: "balanced", excluded: map[string]string{"reasoner-2025": "require_parameters and unsupported temperature"}},
		{name: "require_parameters without such parameters changes nothing", body: chat(hello, `,"routing_config":{"require_parameters":true}`), status: 200, model: "reasoner-2025", mode: "balanced"},
		{name: "require_parameters leaving no model", body: chat(hello, `,"top_p":0.5,"routing_config":{"require_parameters":true,"models":["reasoner"]}`), status: 400,
			code: router.ENoEligible, inMsg: []string{"reasoner-2025", "top_p"}, candidates: map[string]string{"reasoner-2025": "unsupported top_p"}},
		{name: "require_parameters not a boolean", body: chat(hello, `,"routing_config":{"require_parameters":"yes"}`), status: 400,
			code: router.EInvalid, param: "routing_config.require_parameters", inMsg: []string{"true or false"}},
		{name: "unknown routing_config key", body: chat(hello, `,"routing_config":{"mode":"cost","budget":3}`), status: 400,
			code: router.EInvalid, param: "routing_config", inMsg: []string{`"budget"`, "valid keys: mode, models, require_parameters, session_affinity"}},

		// Capability filters (Cost mode would pick tiny without them).
		{name: "tools need tool support", body: chat(hello, tools+`,"routing_config":{"mode":"cost"}`), status: 200, model: "mid-2025", mode: "cost",
			excluded: map[string]string{"tiny-2025": "no tool support"}},
		{name: "images need vision", body: chat(image, `,"routing_config":{"mode":"cost"}`), status: 200, model: "big-2025", mode: "cost",
			excluded: map[string]string{"tiny-2025": "no image input support", "mid-2025": "no image input support", "reasoner-2025": "no image input support"}},
		{name: "json_schema needs structured output", body: chat(hello, schema+`,"routing_config":{"mode":"cost"}`), status: 200, model: "reasoner-2025", mode: "cost",
			excluded: map[string]string{"tiny-2025": "no structured output support", "mid-2025": "no structured output support"}},
		{name: "json_object needs no structured output", body: chat(hello, `,"response_format":{"type":"json_object"},"routing_config":{"mode":"cost"}`),
			status: 200, model: "tiny-2025", mode: "cost"},
		{name: "prompt plus output must fit the context window", body: chat(longish, `,"max_tokens":2000,"routing_config":{"mode":"cost"}`), status: 200, model: "mid-2025", mode: "cost",
			excluded: map[string]string{"tiny-2025": "context window 4096 tokens < prompt 3000 + output 2000"}},
		{name: "the same prompt with little output fits", body: chat(longish, `,"max_tokens":500,"routing_config":{"mode":"cost"}`), status: 200, model: "tiny-2025", mode: "cost"},
		{name: "a prompt too large for every model", body: chat(huge, ""), status: 400,
			code: router.ReasonContextLength, param: "messages", inMsg: []string{"no model in the deployment can serve this request", "context window"},
			candidates: map[string]string{
				"big-2025": "context window 64000 tokens < prompt 75000", "reasoner-2025": "context window 64000", "mid-2025": "context window 64000",
				"tiny-2025": "context window 4096", "claude-2025": "context window 64000",
			}},
		{name: "tools in a subset without tool support", body: chat(hello, tools+`,"routing_config":{"models":["tiny"]}`), status: 400,
			code: router.ENoEligible, inMsg: []string{"tiny-2025", "no tool support"}, candidates: map[string]string{"tiny-2025": "no tool support"}},
	}

	g := newCtlGateway(t, ctlOptions{deployments: StaticDeployments{
		{Name: "cheap", RouterVersion: ctlVersion, Mode: router.ModeCost},
		{Name: "pair", RouterVersion: ctlVersion, Mode: router.ModeBalanced, Models: []string{"mid-2025", "tiny-2025"}},
	}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if tt.deployment != "" {
				body = strings.Replace(body, `"model":"model-router"`, `"model":"`+tt.deployment+`"`, 1)
			}
			before, beforeClaude := len(g.openai.Requests()), len(g.anthropic.Requests())
			resp, raw := g.post(t, "/v1/chat/completions", body)
			require.Equal(t, tt.status, resp.StatusCode, "%s", raw)
			if tt.status != http.StatusOK {
				e := errorOf(t, raw)
				require.NotNil(t, e.Error.Code, "%s", raw)
				assert.Equal(t, tt.code, *e.Error.Code)
				assert.Equal(t, "invalid_request_error", e.Error.Type)
				if tt.param != "" {
					require.NotNil(t, e.Error.Param, "%s", raw)
					assert.Equal(t, tt.param, *e.Error.Param)
				}
				for _, part := range tt.inMsg {
					assert.Contains(t, e.Error.Message, part)
				}
				got := map[string]string{}
				for _, c := range e.Error.Candidates {
					got[c.Model] = c.Reason
				}
				for m, why := range tt.candidates {
					assert.Contains(t, got[m], why, "candidate %s in %s", m, raw)
				}
				if tt.candidates != nil {
					assert.Len(t, got, len(tt.candidates), "every candidate and only those: %s", raw)
				}
				assert.Equal(t, before, len(g.openai.Requests()), "a refused request is not forwarded")
				assert.Equal(t, beforeClaude, len(g.anthropic.Requests()), "a refused request is not forwarded")
				return
			}
			a := answerOf(t, raw)
			assert.Equal(t, tt.model, a.Model, "the answer names the model that answered")
			assert.Equal(t, tt.model, a.Details.ChosenModel)
			assert.Equal(t, tt.model, a.Details.AnsweredModel)
			assert.Equal(t, tt.mode, a.Details.Mode)
			assert.False(t, a.Details.Affinity)
			reasons := a.reasons()
			assert.True(t, strings.HasPrefix(reasons[tt.model], "chosen:"), "winner's reason: %q", reasons[tt.model])
			for m, why := range tt.excluded {
				assert.Contains(t, reasons[m], "excluded: "+why, "candidate %s", m)
			}
			reqs := g.openai.Requests()
			require.Len(t, reqs, before+1, "one upstream call")
			assert.Equal(t, beforeClaude, len(g.anthropic.Requests()))
			assert.Equal(t, strings.TrimSuffix(tt.model, "-2025"), reqs[len(reqs)-1].Model, "the provider was asked for the chosen model")
		})
	}
}

// TestRoutingControlsOnEveryAPI sends the same controls through the
// Responses API, the Azure deployment path and the decision-only route:
// they route alike.
func TestRoutingControlsOnEveryAPI(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		model  string
		mode   string
		inMsg  string
	}{
		{name: "responses: mode cost", path: "/v1/responses", body: `{"model":"model-router","input":"hi","routing_config":{"mode":"cost"}}`,
			status: 200, model: "tiny-2025", mode: "cost"},
		{name: "responses: function tools", path: "/v1/responses",
			body:   `{"model":"model-router","input":"hi","tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"routing_config":{"mode":"cost"}}`,
			status: 200, model: "mid-2025", mode: "cost"},
		{name: "responses: text.format json_schema", path: "/v1/responses",
			body:   `{"model":"model-router","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":{"type":"object"}}},"routing_config":{"mode":"cost"}}`,
			status: 200, model: "reasoner-2025", mode: "cost"},
		{name: "responses: input_image", path: "/v1/responses",
			body:   `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"what is it"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}],"routing_config":{"mode":"cost"}}`,
			status: 200, model: "big-2025", mode: "cost"},
		{name: "responses: max_output_tokens counts toward the context window", path: "/v1/responses",
			body:   `{"model":"model-router","input":"hi","max_output_tokens":8000,"routing_config":{"mode":"cost"}}`,
			status: 200, model: "mid-2025", mode: "cost"},
		{name: "responses: only claude, translated", path: "/v1/responses", body: `{"model":"model-router","input":"hi","routing_config":{"models":["claude"]}}`,
			status: 200, model: "claude-2025", mode: "balanced"},
		{name: "responses: claude cannot run OpenAI's web search", path: "/v1/responses",
			body:   `{"model":"model-router","input":"hi","tools":[{"type":"web_search_preview"}],"routing_config":{"models":["claude"]}}`,
			status: 400, inMsg: `cannot carry tool type "web_search_preview"`},
		{name: "responses: a continuation cannot go to claude", path: "/v1/responses",
			body:   `{"model":"model-router","input":"and then?","previous_response_id":"resp_abc","routing_config":{"models":["claude"]}}`,
			status: 400, inMsg: "provider anthropic cannot carry previous_response_id"},
		{name: "responses: unknown mode", path: "/v1/responses", body: `{"model":"model-router","input":"hi","routing_config":{"mode":"cheap"}}`,
			status: 400, inMsg: "valid modes: balanced, quality, cost"},
		{name: "azure path: mode quality", path: "/openai/deployments/model-router/chat/completions?api-version=2024-10-21",
			body: `{"messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"quality"}}`, status: 200, model: "big-2025", mode: "quality"},
		{name: "azure path: the deployment's subset", path: "/openai/deployments/pair/chat/completions?api-version=2024-10-21",
			body: `{"messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"quality"}}`, status: 200, model: "mid-2025", mode: "quality"},
		{name: "azure path: cannot widen", path: "/openai/deployments/pair/chat/completions?api-version=2024-10-21",
			body: `{"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["big"]}}`, status: 400, inMsg: "valid models: mid-2025, tiny-2025"},
		{name: "openai/v1 alias: require_parameters", path: "/openai/v1/chat/completions",
			body: chat(hello, `,"temperature":1,"routing_config":{"require_parameters":true}`), status: 200, model: "big-2025", mode: "balanced"},
	}
	g := newCtlGateway(t, ctlOptions{deployments: StaticDeployments{
		{Name: "pair", RouterVersion: ctlVersion, Mode: router.ModeBalanced, Models: []string{"mid-2025", "tiny-2025"}},
	}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw := g.post(t, tt.path, tt.body)
			require.Equal(t, tt.status, resp.StatusCode, "%s", raw)
			if tt.status != http.StatusOK {
				assert.Contains(t, errorOf(t, raw).Error.Message, tt.inMsg)
				return
			}
			a := answerOf(t, raw)
			assert.Equal(t, tt.model, a.Model)
			assert.Equal(t, tt.model, a.Details.ChosenModel)
			assert.Equal(t, tt.mode, a.Details.Mode)
		})
	}

	// The decision-only route applies the same controls, forwarding nothing.
	sent := len(g.openai.Requests())
	resp, raw := g.post(t, "/v1/route", chat(hello, `,"routing_config":{"mode":"cost","models":["mid","tiny"]}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	var d struct {
		ChosenModel string   `json:"chosen_model"`
		Mode        string   `json:"mode"`
		Fallbacks   []string `json:"fallbacks"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	assert.Equal(t, "tiny-2025", d.ChosenModel)
	assert.Equal(t, "cost", d.Mode)
	assert.Equal(t, []string{"mid-2025"}, d.Fallbacks, "only the narrowed subset")
	assert.Equal(t, sent, len(g.openai.Requests()))
}

// TestRoutingControlsWhenStreaming: a streamed answer is routed by the same
// controls; its first event carries model_selection_details and every
// chunk names the chosen model.
func TestRoutingControlsWhenStreaming(t *testing.T) {
	tests := []struct{ name, extra, want, mode string }{
		{"quality", `,"routing_config":{"mode":"quality"}`, "big-2025", "quality"},
		{"cost with tools", `,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"routing_config":{"mode":"cost"}`, "mid-2025", "cost"},
	}
	g := newCtlGateway(t, ctlOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw := g.post(t, "/v1/chat/completions", chat(hello, `,"stream":true`+tt.extra))
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
			assert.Contains(t, resp.Header.Get("Content-Type"), "text/event-stream")
			var chunks []ctlAnswer
			for _, line := range strings.Split(string(raw), "\n") {
				data, ok := strings.CutPrefix(line, "data: ")
				if !ok || data == "[DONE]" {
					continue
				}
				chunks = append(chunks, answerOf(t, []byte(data)))
			}
			require.NotEmpty(t, chunks, "%s", raw)
			assert.Equal(t, tt.want, chunks[0].Details.ChosenModel, "details on the first event")
			assert.Equal(t, tt.mode, chunks[0].Details.Mode)
			for i, c := range chunks {
				assert.Equal(t, tt.want, c.Model, "chunk %d", i)
			}
		})
	}
}

// TestAgentToolsCanBeLimitedToOpenAIModels: built-in agent tools (web
// search) exclude Claude, whose provider (Anthropic's Messages API) cannot
// carry them, with the OpenAI-only option on or off, and the reason names
// the tool type; function tools do not exclude it.
func TestAgentToolsCanBeLimitedToOpenAIModels(t *testing.T) {
	webSearch := `,"tools":[{"type":"web_search_preview"}],"routing_config":{"models":["claude"]}`
	function := `,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"routing_config":{"models":["claude"]}`
	tests := []struct {
		name        string
		agentOpenAI bool
		extra       string
		status      int
		reason      string
	}{
		// Claude's provider cannot carry the tool whatever the option says;
		// router tests cover the option's own exclusion of non-OpenAI formats.
		{name: "option on, agent tool", agentOpenAI: true, extra: webSearch, status: 400, reason: `cannot carry tool type "web_search_preview"`},
		{name: "option on, function tool", agentOpenAI: true, extra: function, status: 200},
		{name: "option off, agent tool", agentOpenAI: false, extra: webSearch, status: 400, reason: `provider anthropic cannot carry tool type "web_search_preview"`},
		{name: "option off, function tool", agentOpenAI: false, extra: function, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newCtlGateway(t, ctlOptions{agentOpenAI: tt.agentOpenAI})
			resp, raw := g.post(t, "/v1/route", chat(hello, tt.extra))
			require.Equal(t, tt.status, resp.StatusCode, "%s", raw)
			if tt.status != http.StatusOK {
				e := errorOf(t, raw)
				require.NotNil(t, e.Error.Code)
				assert.Equal(t, router.ENoEligible, *e.Error.Code)
				require.Len(t, e.Error.Candidates, 1)
				assert.Equal(t, "claude-2025", e.Error.Candidates[0].Model)
				assert.Contains(t, e.Error.Candidates[0].Reason, tt.reason)
				return
			}
			var d struct {
				ChosenModel string `json:"chosen_model"`
			}
			require.NoError(t, json.Unmarshal(raw, &d))
			assert.Equal(t, "claude-2025", d.ChosenModel)
		})
	}
}

// TestAgentToolRequestSkipsClaudeWhenOptionOff forwards a web search
// request with the OpenAI-only option off through the whole deployment:
// Claude is listed as excluded and an OpenAI model answers.
func TestAgentToolRequestSkipsClaudeWhenOptionOff(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{})
	resp, raw := g.post(t, "/v1/chat/completions", chat(hello, `,"tools":[{"type":"web_search_preview"}]`))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	a := answerOf(t, raw)
	assert.NotEqual(t, "claude-2025", a.Model)
	assert.Empty(t, g.anthropic.Requests(), "nothing reaches the Anthropic provider")
	found := false
	for _, c := range a.Details.Candidates {
		if c.Model == "claude-2025" {
			found = true
			assert.Contains(t, c.Reason, "cannot carry tool type")
		}
	}
	assert.True(t, found, "the decision explains Claude's exclusion: %s", raw)
}

// TestReasoningModelLosesSamplingParameters checks what reaches the
// provider when a reasoning model is chosen for a request with
// temperature and no require_parameters: the reference drops it.
func TestReasoningModelLosesSamplingParameters(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{})
	resp, raw := g.post(t, "/v1/chat/completions", chat(hello, `,"temperature":0.2,"max_tokens":300`))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	require.Equal(t, "reasoner-2025", answerOf(t, raw).Model)
	sent := g.openai.RequestsFor("reasoner")
	require.Len(t, sent, 1)
	var body map[string]any
	require.NoError(t, json.Unmarshal(sent[0].Body, &body))
	assert.NotContains(t, body, "temperature")
	assert.NotContains(t, body, "max_tokens")
	assert.EqualValues(t, 300, body["max_completion_tokens"])
	assert.NotContains(t, body, "routing_config", "routing_config is the gateway's, not the provider's")
}

// harderPicksBig predicts as ctlPrediction, except that for prompts
// containing "harder" every model but big is weak.
func harderPicksBig() router.Predictor {
	return &routertest.Predictor{PredictFn: func(prompt string) router.Prediction {
		p := ctlPrediction()
		if strings.Contains(prompt, "harder") {
			for _, m := range []string{"p-reasoner", "p-mid", "p-tiny", "p-claude"} {
				p[m] = router.Estimate{Quality: 0.4, OutputTokens: 100}
			}
		}
		return p
	}}
}

// TestSessionAffinityOverHTTP routes a first turn to reasoner; the second
// turn alone would go to big ("harder" prompts make everything else weak).
func TestSessionAffinityOverHTTP(t *testing.T) {
	pred := harderPicksBig()
	const first = `{"model":"model-router","user":"ana","messages":[{"role":"user","content":"hello there"}]%s}`
	const second = `{"model":"model-router","user":"ana","messages":[{"role":"user","content":"hello there"},` +
		`{"role":"assistant","content":"Hello from reasoner."},{"role":"user","content":%s}]%s}`
	text := `"now something harder"`
	image := `[{"type":"text","text":"something harder: what is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]`
	tests := []struct {
		name     string
		header   []string
		extra    string
		content  string
		want     string
		affinity bool
	}{
		{name: "no session: the second turn is routed afresh", content: text, want: "big-2025"},
		{name: "x-session-id keeps the first model", header: []string{"x-session-id", "trip-1"}, content: text, want: "reasoner-2025", affinity: true},
		{name: "x-ms-client-session-id keeps the first model", header: []string{"x-ms-client-session-id", "trip-2"}, content: text, want: "reasoner-2025", affinity: true},
		{name: "Claude Code's session id keeps the first model", header: []string{"x-claude-code-session-id", "trip-5"}, content: text, want: "reasoner-2025", affinity: true},
		{name: "user plus opening messages", extra: `,"routing_config":{"session_affinity":true}`, content: text, want: "reasoner-2025", affinity: true},
		{name: "session_affinity false beats the header", header: []string{"x-session-id", "trip-3"}, extra: `,"routing_config":{"session_affinity":false}`, content: text, want: "big-2025"},
		{name: "the first model became ineligible (image, no vision)", header: []string{"x-session-id", "trip-4"}, content: image, want: "big-2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newCtlGateway(t, ctlOptions{predictor: pred})
			resp, raw := g.post(t, "/v1/chat/completions", fmt.Sprintf(first, tt.extra), tt.header...)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
			a := answerOf(t, raw)
			require.Equal(t, "reasoner-2025", a.Model)
			assert.False(t, a.Details.Affinity, "the first turn is the policy's choice")

			resp, raw = g.post(t, "/v1/chat/completions", fmt.Sprintf(second, tt.content, tt.extra), tt.header...)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
			a = answerOf(t, raw)
			assert.Equal(t, tt.want, a.Model)
			assert.Equal(t, tt.want, a.Details.ChosenModel)
			assert.Equal(t, tt.affinity, a.Details.Affinity)
			if tt.affinity {
				assert.Contains(t, a.reasons()[tt.want], "session affinity")
			}
			assert.Len(t, g.openai.RequestsFor(strings.TrimSuffix(tt.want, "-2025")), map[bool]int{true: 2, false: 1}[tt.want == "reasoner-2025"])
		})
	}
}

// TestSessionAffinityOverMessages: an agent on the Messages API (Claude Code
// sends its session id on every request) keeps its first model, and the
// turns after it are still answered in Anthropic's shape.
func TestSessionAffinityOverMessages(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{predictor: harderPicksBig()})
	session := []string{"x-claude-code-session-id", "0b6f7c1e-agent"}
	first := `{"model":"model-router","max_tokens":512,"messages":[{"role":"user","content":"hello there"}]}`
	second := `{"model":"model-router","max_tokens":512,"messages":[{"role":"user","content":"hello there"},` +
		`{"role":"assistant","content":[{"type":"text","text":"Hello from reasoner."}]},{"role":"user","content":"now something harder"}]}`

	resp, raw := g.post(t, "/v1/messages", first, session...)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	require.Equal(t, "reasoner-2025", answerOf(t, raw).Model)

	resp, raw = g.post(t, "/v1/messages", second, session...)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	a := answerOf(t, raw)
	assert.Equal(t, "reasoner-2025", a.Model, "without the session the harder turn goes to big-2025")
	assert.True(t, a.Details.Affinity)
	assert.Contains(t, string(raw), `"type":"message"`)

	resp, raw = g.post(t, "/v1/messages", second)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	assert.Equal(t, "big-2025", answerOf(t, raw).Model, "the same turn without a session is routed afresh")
}

// TestSessionAffinityExpires: a conversation stays on its first model for
// the affinity TTL after its last turn, then is routed afresh.
func TestSessionAffinityExpires(t *testing.T) {
	pred := harderPicksBig()
	g := newCtlGateway(t, ctlOptions{predictor: pred, affinityTTL: time.Hour})
	session := []string{"x-session-id", "long-chat"}
	turns := []struct {
		after    time.Duration
		prompt   string
		want     string
		affinity bool
	}{
		{0, `"hello"`, "reasoner-2025", false},
		{59 * time.Minute, `"something harder"`, "reasoner-2025", true},
		{59 * time.Minute, `"something harder"`, "reasoner-2025", true}, // each turn renews the TTL
		{61 * time.Minute, `"something harder"`, "big-2025", false},
	}
	for i, turn := range turns {
		g.clock.Advance(turn.after)
		resp, raw := g.post(t, "/v1/chat/completions", chat(turn.prompt, ""), session...)
		require.Equal(t, http.StatusOK, resp.StatusCode, "turn %d: %s", i, raw)
		a := answerOf(t, raw)
		assert.Equal(t, turn.want, a.Model, "turn %d", i)
		assert.Equal(t, turn.affinity, a.Details.Affinity, "turn %d", i)
	}
}

// TestSessionFollowsTheModelThatAnswered: when the session's model fails,
// the turn fails over, and the next turn stays with the model that answered.
func TestSessionFollowsTheModelThatAnswered(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{})
	session := []string{"x-session-id", "flaky"}
	resp, raw := g.post(t, "/v1/chat/completions", chat(hello, ""), session...)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	require.Equal(t, "reasoner-2025", answerOf(t, raw).Model)

	g.openai.Set("reasoner", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
	resp, raw = g.post(t, "/v1/chat/completions", chat(hello, ""), session...)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	a := answerOf(t, raw)
	assert.Equal(t, "reasoner-2025", a.Details.ChosenModel, "the session's model, which the policy also prefers")
	assert.Equal(t, "big-2025", a.Model, "failover to the next in the Balanced order")

	g.openai.Set("reasoner", upstreamtest.Behavior{})
	resp, raw = g.post(t, "/v1/chat/completions", chat(hello, ""), session...)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	a = answerOf(t, raw)
	assert.Equal(t, "big-2025", a.Model, "the session follows the model that answered, though the policy prefers reasoner again")
	assert.True(t, a.Details.Affinity)
	assert.Contains(t, a.reasons()["big-2025"], "session affinity")
}

// ratelimitHeaders are OpenAI's, on every answer of a limited deployment.
var ratelimitHeaders = []string{
	"x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
	"x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
}

// TestCapacityOverHTTP sends calls to a limited deployment at one instant
// of the limiter's clock until it refuses one. How many pass depends on how
// much burst the buckets hold; what must hold is that no more than a
// minute's limit passes, the refusal is a 429 in the OpenAI shape with
// Retry-After and the x-ratelimit-* headers, and a retry after
// retry-after-ms is admitted.
func TestCapacityOverHTTP(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		body     string
		// maxAdmitted bounds the calls one minute's limit lets through.
		maxAdmitted int
		limitReqs   string
		limitToks   string
		// exhausted is the x-ratelimit-remaining-* header that shows which
		// limit refused, and the most it may say.
		exhausted string
		remaining int
	}{
		// Capacity 10: 60 requests and 10,000 tokens per minute; a short
		// prompt costs ~110 tokens, so requests run out first.
		{name: "requests per minute", capacity: 10, body: chat(hello, ""), maxAdmitted: 60,
			limitReqs: "60", limitToks: "10000", exhausted: "x-ratelimit-remaining-requests", remaining: 0},
		// Capacity 100: 600 requests and 100,000 tokens per minute; each
		// call is estimated at 1,600 + 100 tokens and billed 1,283, so
		// tokens run out first, after at most 100,000 / 1,283 calls.
		{name: "tokens per minute", capacity: 100, body: chat(strconv.Quote(strings.Repeat("abcd ", 1280)), ""), maxAdmitted: 100_000 / 1_283,
			limitReqs: "600", limitToks: "100000", exhausted: "x-ratelimit-remaining-tokens", remaining: 1_699},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newCtlGateway(t, ctlOptions{rateLimits: true, deployments: StaticDeployments{
				{Name: "limited", RouterVersion: ctlVersion, Mode: router.ModeBalanced, Capacity: tt.capacity},
			}})
			body := strings.Replace(tt.body, `"model-router"`, `"limited"`, 1)
			var resp *http.Response
			var raw []byte
			admitted := 0
			for range tt.maxAdmitted + 1 {
				resp, raw = g.post(t, "/v1/chat/completions", body)
				if resp.StatusCode != http.StatusOK {
					break
				}
				admitted++
				assert.Equal(t, "reasoner-2025", answerOf(t, raw).Model)
				for _, h := range ratelimitHeaders {
					assert.NotEmpty(t, resp.Header.Get(h), "call %d lacks %s", admitted, h)
				}
				assert.Equal(t, tt.limitReqs, resp.Header.Get("x-ratelimit-limit-requests"))
				assert.Equal(t, tt.limitToks, resp.Header.Get("x-ratelimit-limit-tokens"))
				assert.Empty(t, resp.Header.Get("Retry-After"), "admitted calls need no retry")
			}
			t.Logf("%d calls admitted at one instant", admitted)
			assert.Positive(t, admitted, "a fresh deployment admits a call")
			assert.Equal(t, admitted, len(g.openai.Requests()), "refused calls are not forwarded")

			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "no refusal within a minute's limit: %s", raw)
			e := errorOf(t, raw)
			require.NotNil(t, e.Error.Code)
			assert.Equal(t, router.ERateLimited, *e.Error.Code)
			assert.Equal(t, "rate_limit_error", e.Error.Type)
			assert.Contains(t, e.Error.Message, `"limited"`)
			assert.Contains(t, e.Error.Message, "Retry-After")
			retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			require.NoError(t, err, "Retry-After in seconds")
			ms, err := strconv.Atoi(resp.Header.Get("retry-after-ms"))
			require.NoError(t, err, "retry-after-ms")
			assert.Positive(t, ms)
			assert.Equal(t, (ms+999)/1000, retry, "Retry-After is retry-after-ms rounded up to seconds")
			for _, h := range ratelimitHeaders {
				assert.NotEmpty(t, resp.Header.Get(h), "the 429 lacks %s", h)
			}
			assert.Equal(t, tt.limitToks, resp.Header.Get("x-ratelimit-limit-tokens"))
			left, err := strconv.Atoi(resp.Header.Get(tt.exhausted))
			require.NoError(t, err, tt.exhausted)
			assert.LessOrEqual(t, left, tt.remaining, "%s shows the limit that refused", tt.exhausted)

			// Before retry-after-ms the deployment still refuses; at it, the
			// call goes through.
			if ms > 10 {
				g.clock.Advance(time.Duration(ms-10) * time.Millisecond)
				resp, raw = g.post(t, "/v1/chat/completions", body)
				require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "before retry-after-ms: %s", raw)
				ms = 10
			}
			g.clock.Advance(time.Duration(ms) * time.Millisecond)
			resp, raw = g.post(t, "/v1/chat/completions", body)
			require.Equal(t, http.StatusOK, resp.StatusCode, "at retry-after-ms: %s", raw)
		})
	}
}

// TestAcceptedTokensPerMinuteStayAtTheLimit drives a capacity-10
// deployment (10,000 tokens per minute) as fast as it lets a client through,
// for a simulated three minutes, and counts the tokens the provider billed
// for the calls admitted in each minute, the first (a full bucket's burst
// on top) included.
func TestAcceptedTokensPerMinuteStayAtTheLimit(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{rateLimits: true, deployments: StaticDeployments{
		{Name: "limited", RouterVersion: ctlVersion, Mode: router.ModeBalanced, Capacity: 10},
	}})
	// 250 words: estimated at 375 prompt + 100 answer tokens up front,
	// billed 250 + 3 by the fake provider, so every call is settled.
	body := `{"model":"limited","messages":[{"role":"user","content":"` + words(250) + `"}]}`
	const step = 200 * time.Millisecond
	perMinute := map[int]int{}
	refused := 0
	for i := range int(3 * time.Minute / step) {
		minute := int(time.Duration(i) * step / time.Minute)
		resp, raw := g.post(t, "/v1/chat/completions", body)
		switch resp.StatusCode {
		case http.StatusOK:
			a := answerOf(t, raw)
			require.Positive(t, a.Usage.TotalTokens, "%s", raw)
			perMinute[minute] += a.Usage.TotalTokens
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, raw)
		}
		g.clock.Advance(step)
	}
	assert.Positive(t, refused, "the client asked for more than the limit")
	for _, m := range []int{0, 1, 2} {
		assert.InDelta(t, 10_000, perMinute[m], 500, "minute %d: tokens accepted within 5%% of 10,000", m)
		t.Logf("minute %d: %d tokens accepted (%+.1f%%)", m, perMinute[m], 100*(float64(perMinute[m])/10_000-1))
	}
}
