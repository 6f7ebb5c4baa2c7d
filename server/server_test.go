package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// fakeForwarder answers with a minimal chat completion from the first model
// that FailModels does not name, recording the failed ones as attempts.
type fakeForwarder struct {
	calls      atomic.Int64
	failModels map[string]bool
	panicWith  any
	lastCall   atomic.Pointer[upstream.Call]
}

func (f *fakeForwarder) Forward(_ context.Context, w http.ResponseWriter, call upstream.Call) upstream.Outcome {
	f.calls.Add(1)
	f.lastCall.Store(&call)
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	var out upstream.Outcome
	for _, m := range call.Order {
		if f.failModels[m.ID] {
			out.Attempts = append(out.Attempts, router.Attempt{Model: m.ID, Status: 500, Error: "HTTP 500"})
			continue
		}
		out.Attempts = append(out.Attempts, router.Attempt{Model: m.ID, Status: 200})
		out.Answered, out.Status, out.Wrote, out.Whole = m, 200, true, true
		out.Usage = router.Usage{PromptTokens: 10, CompletionTokens: 5}
		body := map[string]any{"object": "chat.completion", "model": m.ID}
		if call.Details != nil { // a relay (a read by id) has no decision to detail
			body["model_selection_details"] = call.Details(out.Attempts, m)
		}
		if call.API == upstream.APIResponses {
			body["object"], body["id"] = "response", fmt.Sprintf("resp_%d", f.calls.Load())
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_ = json.NewEncoder(w).Encode(body)
		return out
	}
	out.Status = http.StatusBadGateway
	out.Err = router.Errorf(router.EUpstream, "every upstream model failed")
	return out
}

// refusingLimiter admits nothing.
type refusingLimiter struct{}

func (refusingLimiter) Admit(router.Deployment, int) (func(int), http.Header, bool) {
	return nil, http.Header{"Retry-After": {"7"}}, false
}

// countingLimiter admits everything and remembers what was settled.
type countingLimiter struct {
	est, settled atomic.Int64
}

func (l *countingLimiter) Admit(_ router.Deployment, est int) (func(int), http.Header, bool) {
	l.est.Store(int64(est))
	return func(actual int) { l.settled.Store(int64(actual)) }, http.Header{"X-Ratelimit-Remaining-Tokens": {"9000"}}, true
}

func newTestServer(t *testing.T, mutate func(*Config)) (*Server, *recordLog, *fakeForwarder) {
	t.Helper()
	log := &recordLog{}
	fwd := &fakeForwarder{}
	cfg := Config{Router: newTestRouter(t, nil), Forwarder: fwd, Log: log}
	if mutate != nil {
		mutate(&cfg)
	}
	return New(cfg), log, fwd
}

func TestErrorsUseOneShapeAndAreLogged(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*Config)
		path   string
		body   string
		header []string
		status int
		code   string
		param  string
		inMsg  string
		// unlogged: refused before anything was decided, so no row.
		unlogged bool
	}{
		{name: "malformed JSON", body: `{"model":`, status: 400, code: router.EInvalid, inMsg: "not a JSON object"},
		{name: "missing model", body: `{"messages":[{"role":"user","content":"hi"}]}`, status: 400, code: router.EInvalid, param: "model", inMsg: "'model'"},
		{name: "missing messages", body: `{"model":"model-router"}`, status: 400, code: router.EInvalid, param: "messages"},
		{name: "unknown deployment", body: `{"model":"nope","messages":[{"role":"user","content":"hi"}]}`, status: 404, code: router.ENotFound, inMsg: `"nope"`},
		{name: "unknown routing_config key", body: `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"speed":1}}`,
			status: 400, code: router.EInvalid, param: "routing_config", inMsg: "valid keys: mode, models, require_parameters, session_affinity"},
		{name: "body over the limit", cfg: func(c *Config) { c.MaxBodyBytes = 64 }, body: chatBody, status: 413, code: router.ETooLarge, inMsg: "64 bytes"},
		{name: "no eligible model", body: `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"routing_config":{"models":["nano"]}}`,
			status: 400, code: router.ENoEligible, inMsg: "no tool support"},
		{name: "no provider configured", cfg: func(c *Config) {
			c.Router = newTestRouter(t, func(m router.Model) string { return "provider " + m.Provider + " not configured: set OPENAI_API_KEY" })
		}, body: chatBody, status: 503, code: router.ENotConfigured, inMsg: "OPENAI_API_KEY"},
		{name: "upstream failure after failover", cfg: func(c *Config) {
			c.Forwarder = &fakeForwarder{failModels: map[string]bool{"large": true, "mini": true, "nano": true, "claude": true}}
		}, body: chatBody, status: 502, code: router.EUpstream},
		{name: "rate limited", cfg: func(c *Config) { c.Limiter = refusingLimiter{} }, body: chatBody, status: 429, code: router.ERateLimited, inMsg: "capacity"},
		{name: "missing key", cfg: func(c *Config) { c.RequireKeys, c.Keys = true, keyStore{"good": true} }, body: chatBody, status: 401, code: router.EUnauthorized, inMsg: "Missing API key", unlogged: true},
		{name: "bad key", cfg: func(c *Config) { c.RequireKeys, c.Keys = true, keyStore{"good": true} }, body: chatBody,
			header: []string{"Authorization", "Bearer sk-wrong-secret"}, status: 401, code: router.EUnauthorized, inMsg: "Invalid API key", unlogged: true},
		{name: "panic", cfg: func(c *Config) { c.Forwarder = &fakeForwarder{panicWith: "boom"} }, body: chatBody, status: 500, code: router.EInternal, inMsg: "Internal error."},
		{name: "responses with no input", path: "/v1/responses", body: `{"model":"model-router"}`, status: 400, code: router.EInvalid, param: "input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, log, _ := newTestServer(t, tt.cfg)
			path := tt.path
			if path == "" {
				path = "/v1/chat/completions"
			}
			w := do(srv.Handler(), http.MethodPost, path, tt.body, tt.header...)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			id := w.Header().Get(HeaderRequestID)
			assert.Len(t, id, 32, "x-request-id on errors too")
			e := errorOf(t, w.Body.Bytes())
			require.NotNil(t, e.Error.Code)
			assert.Equal(t, tt.code, *e.Error.Code)
			assert.Contains(t, e.Error.Message, tt.inMsg)
			assert.NotContains(t, e.Error.Message, "sk-wrong-secret")
			if tt.param != "" {
				require.NotNil(t, e.Error.Param)
				assert.Equal(t, tt.param, *e.Error.Param)
			}
			if tt.status == 429 {
				assert.Equal(t, "7", w.Header().Get("Retry-After"))
			}
			if tt.status == 500 {
				assert.NotContains(t, w.Body.String(), "boom", "internals stay in the server log")
			}
			if tt.unlogged {
				assert.Empty(t, log.all(), "a refused key writes no row: the record is sent before the response returns")
				return
			}
			recs := log.waitFor(t, 1)
			require.Len(t, recs, 1, "exactly one record per request")
			assert.Equal(t, id, recs[0].RequestID)
			assert.Equal(t, tt.status, recs[0].Status)
			assert.Equal(t, tt.code, recs[0].ErrorCode)
		})
	}
}

func TestNoEligibleListsWhyEachCandidateWasExcluded(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	body := `{"model":"model-router","messages":[{"role":"user","content":[{"type":"text","text":"what is it"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}],"routing_config":{"models":["nano"]}}`
	w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", body)
	require.Equal(t, http.StatusBadRequest, w.Code)
	e := errorOf(t, w.Body.Bytes())
	require.Len(t, e.Error.Candidates, 1)
	assert.Equal(t, "nano", e.Error.Candidates[0].Model)
	assert.Contains(t, e.Error.Candidates[0].Reason, "no image input support")
}

func TestHealthAndReadiness(t *testing.T) {
	var ready atomic.Bool
	srv, log, _ := newTestServer(t, func(c *Config) { c.Ready = ready.Load })
	h := srv.Handler()
	assert.Equal(t, http.StatusOK, do(h, http.MethodGet, "/healthz", "").Code)
	w := do(h, http.MethodGet, "/readyz", "")
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	errorOf(t, w.Body.Bytes())
	ready.Store(true)
	assert.Equal(t, http.StatusOK, do(h, http.MethodGet, "/readyz", "").Code)
	assert.Empty(t, log.all(), "probes are not decisions")
}

func TestUnknownRouteIsOpenAIShaped404(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	w := do(srv.Handler(), http.MethodPost, "/v1/embeddings", `{}`)
	assert.Equal(t, http.StatusNotFound, w.Code)
	errorOf(t, w.Body.Bytes())
	assert.NotEmpty(t, w.Header().Get(HeaderRequestID))
}

func TestUnknownRouteIsAnthropicShaped404ForAnAnthropicClient(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	for _, tc := range []struct{ path, header string }{
		{"/v1/v1/messages", "2023-06-01"}, // a base URL that already ends in /v1
		{"/anthropic/v1/complete", ""},
	} {
		var headers []string
		if tc.header != "" {
			headers = []string{"anthropic-version", tc.header}
		}
		w := do(srv.Handler(), http.MethodPost, tc.path, `{}`, headers...)
		assert.Equal(t, http.StatusNotFound, w.Code, tc.path)
		var body struct {
			Type  string `json:"type"`
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
		assert.Equal(t, "error", body.Type, tc.path)
		assert.Equal(t, "not_found_error", body.Error.Type, tc.path)
		assert.Contains(t, body.Error.Message, tc.path)
	}
	// An Anthropic client on an OpenAI route keeps that route's shape.
	w := do(srv.Handler(), http.MethodGet, "/v1/chat/completions", "", "anthropic-version", "2023-06-01")
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	errorOf(t, w.Body.Bytes())
}

func TestKeysAreAcceptedFromBothHeaders(t *testing.T) {
	srv, _, fwd := newTestServer(t, func(c *Config) { c.RequireKeys, c.Keys = true, keyStore{"sk-good": true} })
	h := srv.Handler()
	assert.Equal(t, http.StatusOK, do(h, http.MethodPost, "/v1/chat/completions", chatBody, "Authorization", "Bearer sk-good").Code)
	assert.Equal(t, http.StatusOK, do(h, http.MethodPost, "/openai/deployments/model-router/chat/completions?api-version=2024-10-21",
		`{"messages":[{"role":"user","content":"hi"}]}`, "api-key", "sk-good").Code)
	assert.Equal(t, http.StatusUnauthorized, do(h, http.MethodGet, "/v1/models", "").Code)
	assert.Equal(t, http.StatusOK, do(h, http.MethodGet, "/v1/models", "", "api-key", "sk-good").Code)
	assert.Equal(t, int64(2), fwd.calls.Load())
}

func TestProxyForwardsInDecisionOrderAndRecords(t *testing.T) {
	lim := &countingLimiter{}
	srv, log, fwd := newTestServer(t, func(c *Config) {
		c.Limiter = lim
		c.Forwarder = &fakeForwarder{failModels: map[string]bool{"mini": true}}
	})
	_ = fwd
	w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", chatBody)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "9000", w.Header().Get("X-Ratelimit-Remaining-Tokens"))

	var resp struct {
		Model   string `json:"model"`
		Details struct {
			Mode           string `json:"mode"`
			ChosenModel    string `json:"chosen_model"`
			AnsweredModel  string `json:"answered_model"`
			FallbacksTried []struct {
				Model  string `json:"model"`
				Status int    `json:"status"`
			} `json:"fallbacks_tried"`
			Candidates []struct {
				Model string  `json:"model"`
				Q     float64 `json:"predicted_quality"`
				Cost  float64 `json:"expected_cost_usd"`
				Rank  int     `json:"rank"`
			} `json:"candidates"`
		} `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
	assert.Equal(t, "balanced", resp.Details.Mode)
	assert.Equal(t, "mini", resp.Details.ChosenModel, "cheapest within the 2% band")
	require.Len(t, resp.Details.FallbacksTried, 1)
	assert.Equal(t, "mini", resp.Details.FallbacksTried[0].Model)
	assert.Equal(t, resp.Model, resp.Details.AnsweredModel)
	assert.NotEqual(t, "mini", resp.Model)
	assert.Len(t, resp.Details.Candidates, 4)

	rec := log.waitFor(t, 1)[0]
	assert.Equal(t, "chat.completions", rec.API)
	assert.Equal(t, resp.Model, rec.Answered)
	assert.Len(t, rec.Attempts, 2)
	assert.Equal(t, 200, rec.Status)
	assert.Equal(t, router.Usage{PromptTokens: 10, CompletionTokens: 5}, rec.Usage)
	assert.Greater(t, rec.CostUSD, 0.0)
	assert.Len(t, rec.PromptHash, 64)
	assert.Empty(t, rec.PromptText, "prompt text is kept only when configured")
	assert.Greater(t, lim.est.Load(), int64(100), "estimate covers the predicted answer")
	assert.Equal(t, int64(15), lim.settled.Load(), "settled with the tokens actually used")
}

func TestAzureAndAliasPaths(t *testing.T) {
	srv, log, fwd := newTestServer(t, nil)
	h := srv.Handler()
	paths := []struct{ path, body string }{
		{"/openai/deployments/model-router/chat/completions?api-version=2024-10-21", `{"messages":[{"role":"user","content":"hi"}]}`},
		{"/openai/deployments/model-router/responses?api-version=preview", `{"input":"hi"}`},
		{"/openai/v1/chat/completions", chatBody},
		{"/openai/v1/responses", `{"model":"model-router","input":"hi"}`},
	}
	for _, p := range paths {
		w := do(h, http.MethodPost, p.path, p.body)
		assert.Equal(t, http.StatusOK, w.Code, "%s: %s", p.path, w.Body.String())
	}
	assert.Equal(t, int64(len(paths)), fwd.calls.Load())
	recs := log.waitFor(t, len(paths))
	assert.Equal(t, "responses", recs[1].API)
	assert.Equal(t, "model-router", recs[1].Decision.Deployment)
	w := do(h, http.MethodPost, "/openai/deployments/other/chat/completions?api-version=1", `{"messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusNotFound, w.Code)
}

func TestRouteDecidesWithoutForwarding(t *testing.T) {
	srv, log, fwd := newTestServer(t, func(c *Config) { c.KeepPromptText = true })
	body := `{"model":"model-router","messages":[{"role":"user","content":"Prove it."}],"routing_config":{"mode":"quality"}}`
	w := do(srv.Handler(), http.MethodPost, "/v1/route", body)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var d struct {
		ChosenModel string   `json:"chosen_model"`
		Mode        string   `json:"mode"`
		Reason      string   `json:"reason"`
		Fallbacks   []string `json:"fallbacks"`
		Candidates  []struct {
			Model string  `json:"model"`
			Q     float64 `json:"predicted_quality"`
			Cost  float64 `json:"expected_cost_usd"`
			Rank  int     `json:"rank"`
		} `json:"candidates"`
		InputTokens int  `json:"input_tokens"`
		Forwardable bool `json:"forwardable"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
	assert.Equal(t, "quality", d.Mode)
	assert.Equal(t, "large", d.ChosenModel)
	assert.Contains(t, d.Reason, "highest predicted quality")
	assert.Equal(t, []string{"claude", "mini", "nano"}, d.Fallbacks)
	require.Len(t, d.Candidates, 4)
	for _, c := range d.Candidates {
		assert.Greater(t, c.Q, 0.0, c.Model)
		assert.Greater(t, c.Cost, 0.0, c.Model)
	}
	assert.Positive(t, d.InputTokens)
	assert.True(t, d.Forwardable)
	assert.Zero(t, fwd.calls.Load(), "nothing forwarded")
	rec := log.waitFor(t, 1)[0]
	assert.Equal(t, "route", rec.API)
	assert.Equal(t, "large", rec.Decision.ChosenID)
	assert.Equal(t, "Prove it.", rec.PromptText)
}

func TestModelsListsDeploymentsAndTheirModels(t *testing.T) {
	srv, _, _ := newTestServer(t, func(c *Config) {
		c.Deployments = StaticDeployments{
			DefaultDeployment("v1"),
			{Name: "cheap", RouterVersion: "v1", Mode: router.ModeCost, Models: []string{"nano", "mini"}},
		}
		c.Available = func(m router.Model) string {
			if m.Provider == "anthropic" {
				return "set ANTHROPIC_API_KEY"
			}
			return ""
		}
	})
	w := do(srv.Handler(), http.MethodGet, "/v1/models", "")
	require.Equal(t, http.StatusOK, w.Code)
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID          string   `json:"id"`
			Kind        string   `json:"kind"`
			Models      []string `json:"models"`
			Deployments []string `json:"deployments"`
			Available   *bool    `json:"available"`
			Why         string   `json:"unavailable_reason"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
	assert.Equal(t, "list", list.Object)
	byID := map[string]int{}
	for i, m := range list.Data {
		byID[m.Kind+"/"+m.ID] = i
	}
	require.Len(t, list.Data, 6)
	assert.ElementsMatch(t, []string{"nano", "mini"}, list.Data[byID["deployment/cheap"]].Models)
	assert.Len(t, list.Data[byID["deployment/model-router"]].Models, 4)
	assert.ElementsMatch(t, []string{"model-router", "cheap"}, list.Data[byID["model/mini"]].Deployments)
	claude := list.Data[byID["model/claude"]]
	require.NotNil(t, claude.Available)
	assert.False(t, *claude.Available)
	assert.Contains(t, claude.Why, "ANTHROPIC_API_KEY")
}

func TestAPIUnsupportedModelsAreExcludedWithReason(t *testing.T) {
	srv, _, fwd := newTestServer(t, func(c *Config) {
		c.Supports = func(m router.Model, api upstream.API, _ ...string) string {
			if m.Provider == "anthropic" && api == upstream.APIResponses {
				return "provider anthropic does not serve the Responses API"
			}
			return ""
		}
	})
	h := srv.Handler()
	body := `{"model":"model-router","input":"hi","routing_config":{"mode":"quality"}}`
	w := do(h, http.MethodPost, "/v1/responses", body)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	call := fwd.lastCall.Load()
	require.NotNil(t, call)
	for _, m := range call.Order {
		assert.NotEqual(t, "claude", m.ID)
	}
	assert.Contains(t, w.Body.String(), "does not serve the Responses API", "the decision says why claude was left out")

	w = do(h, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hi","routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	e := errorOf(t, w.Body.Bytes())
	assert.Equal(t, router.ENoEligible, *e.Error.Code)
	assert.Contains(t, e.Error.Message, "Responses API")
}

func TestSessionAffinity(t *testing.T) {
	// The first prompt makes mini the Balanced choice; the follow-up on its
	// own would go to large.
	pred := func(prompt string) router.Prediction {
		p := testPrediction()
		if strings.Contains(prompt, "harder") {
			p["mini"] = router.Estimate{Quality: 0.5, OutputTokens: 100}
			p["nano"] = router.Estimate{Quality: 0.5, OutputTokens: 100}
			p["claude"] = router.Estimate{Quality: 0.5, OutputTokens: 100}
		}
		return p
	}
	newSrv := func(t *testing.T) *Server {
		r, err := router.New(router.Config{Catalog: testCatalog(), Predictor: &routertest.Predictor{PredictFn: pred}})
		require.NoError(t, err)
		srv, _, _ := newTestServer(t, func(c *Config) { c.Router = r })
		return srv
	}
	first := `{"model":"model-router","user":"alice","messages":[{"role":"user","content":"hello"}]%s}`
	second := `{"model":"model-router","user":"alice","messages":[{"role":"user","content":"hello"},{"role":"assistant","content":"hi"},{"role":"user","content":"something harder"}]%s}`
	tests := []struct {
		name      string
		extra     string
		header    []string
		wantModel string
		affinity  bool
	}{
		{name: "no affinity: each turn routed afresh", wantModel: "large"},
		{name: "session header", header: []string{"x-session-id", "s1"}, wantModel: "mini", affinity: true},
		{name: "azure session header", header: []string{"x-ms-client-session-id", "s2"}, wantModel: "mini", affinity: true},
		{name: "user plus opening messages", extra: `,"routing_config":{"session_affinity":true}`, wantModel: "mini", affinity: true},
		{name: "explicitly off beats the header", extra: `,"routing_config":{"session_affinity":false}`, header: []string{"x-session-id", "s3"}, wantModel: "large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newSrv(t).Handler()
			w := do(h, http.MethodPost, "/v1/chat/completions", strings.Replace(first, "%s", tt.extra, 1), tt.header...)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			w = do(h, http.MethodPost, "/v1/chat/completions", strings.Replace(second, "%s", tt.extra, 1), tt.header...)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var resp struct {
				Model   string `json:"model"`
				Details struct {
					Affinity bool `json:"session_affinity"`
				} `json:"model_selection_details"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
			assert.Equal(t, tt.wantModel, resp.Model)
			assert.Equal(t, tt.affinity, resp.Details.Affinity)
		})
	}
}

func TestRecordLatencies(t *testing.T) {
	srv, log, _ := newTestServer(t, nil)
	start := time.Now()
	do(srv.Handler(), http.MethodPost, "/v1/chat/completions", chatBody)
	rec := log.waitFor(t, 1)[0]
	assert.Positive(t, rec.Total)
	assert.LessOrEqual(t, rec.Total, time.Since(start))
	assert.LessOrEqual(t, rec.DecideLatency, rec.Total)
	assert.WithinDuration(t, start, rec.Time, time.Second)
}

func TestObserverAndLogSeeTheSameRecords(t *testing.T) {
	obs := &recordLog{}
	srv, log, _ := newTestServer(t, func(c *Config) { c.Observer = obs })
	h := srv.Handler()
	ids := []string{
		do(h, http.MethodPost, "/v1/chat/completions", chatBody).Header().Get(HeaderRequestID),
		do(h, http.MethodPost, "/v1/route", chatBody).Header().Get(HeaderRequestID),
		do(h, http.MethodPost, "/v1/chat/completions", `{`).Header().Get(HeaderRequestID),
	}
	logged, observed := log.waitFor(t, 3), obs.waitFor(t, 3)
	for i, id := range ids {
		assert.Equal(t, id, logged[i].RequestID)
		assert.Equal(t, id, observed[i].RequestID)
	}
	assert.NotEqual(t, ids[0], ids[1], "request ids are unique")
}

func TestResponsesContinuationStaysWithItsModel(t *testing.T) {
	// "harder" prompts would go to large; a continuation of a stored
	// response must stay with the model that stored it.
	pred := func(prompt string) router.Prediction {
		p := testPrediction()
		if strings.Contains(prompt, "harder") {
			for _, m := range []string{"mini", "nano", "claude"} {
				p[m] = router.Estimate{Quality: 0.5, OutputTokens: 100}
			}
		}
		return p
	}
	r, err := router.New(router.Config{Catalog: testCatalog(), Predictor: &routertest.Predictor{PredictFn: pred}})
	require.NoError(t, err)
	srv, _, _ := newTestServer(t, func(c *Config) { c.Router = r })
	h := srv.Handler()

	w := do(h, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hello"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var first struct{ ID, Model string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &first))
	require.Equal(t, "mini", first.Model)
	require.NotEmpty(t, first.ID)

	tests := []struct{ name, body, want string }{
		{"continuation", `{"model":"model-router","previous_response_id":"` + first.ID + `","input":"something harder"}`, "mini"},
		{"fresh conversation", `{"model":"model-router","input":"something harder"}`, "large"},
		{"unknown stored response", `{"model":"model-router","previous_response_id":"resp_other","input":"something harder"}`, "large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, http.MethodPost, "/v1/responses", tt.body)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var resp struct{ Model string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
			assert.Equal(t, tt.want, resp.Model)
		})
	}
}

func TestRouteShowsADecisionWithNoProviderConfigured(t *testing.T) {
	notConfigured := func(m router.Model) string { return "provider " + m.Provider + " not configured: set OPENAI_API_KEY" }
	srv, log, fwd := newTestServer(t, func(c *Config) {
		c.Router = newTestRouter(t, notConfigured)
		c.PreviewRouter = newTestRouter(t, nil)
	})
	h := srv.Handler()
	w := do(h, http.MethodPost, "/v1/route", chatBody)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var d struct {
		ChosenModel string `json:"chosen_model"`
		Forwardable bool   `json:"forwardable"`
		Note        string `json:"note"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
	assert.Equal(t, "mini", d.ChosenModel)
	assert.False(t, d.Forwardable)
	assert.Contains(t, d.Note, "OPENAI_API_KEY")

	w = do(h, http.MethodPost, "/v1/chat/completions", chatBody)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code, "forwarding still needs a provider")
	assert.Zero(t, fwd.calls.Load())
	recs := log.waitFor(t, 2)
	assert.Equal(t, http.StatusOK, recs[0].Status)
	assert.Equal(t, "mini", recs[0].Decision.ChosenID)
	assert.Equal(t, router.ENotConfigured, recs[1].ErrorCode)
}
