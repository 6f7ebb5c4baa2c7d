package main

// Routing controls through the real `serve` wiring: the embedded catalog,
// SQLite deployments behind the management API, the real rate limiter and
// /metrics, with fake OpenAI and Anthropic providers on loopback and a
// fixed predictor whose qualities make each choice known.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const controlsAdminKey = "admin-secret-for-tests"

// Model IDs of the 2025-11-18 catalog the expectations use.
const (
	gpt5       = "gpt-5-2025-08-07"
	gpt41      = "gpt-4.1-2025-04-14"
	gpt41Mini  = "gpt-4.1-mini-2025-04-14"
	gpt41Nano  = "gpt-4.1-nano-2025-04-14"
	sonnet45   = "claude-sonnet-4-5-20250929"
	sonnetName = "claude-sonnet-4-5"
)

// controlsPredictor predicts 0.5 for every profile except those standing in
// for gpt-5 (.95), gpt-4.1-mini (.94), gpt-4.1-nano (.90) and
// claude-sonnet-4-5 (.99). So Quality picks gpt-5 (or Sonnet once it is
// deployed), Balanced (>= .931) gpt-4.1-mini, Cost (>= .893) gpt-4.1-nano.
func controlsPredictor(t *testing.T) *routertest.Predictor {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	quality := map[string]float64{"gpt-5": 0.95, "gpt-4.1-mini": 0.94, "gpt-4.1-nano": 0.90, sonnetName: 0.99}
	p := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if _, ok := p[m.Profile]; !ok {
				p[m.Profile] = router.Estimate{Quality: 0.5, OutputTokens: 50}
			}
			if q, ok := quality[m.Name]; ok {
				p[m.Profile] = router.Estimate{Quality: q, OutputTokens: 50}
			}
		}
	}
	return &routertest.Predictor{Fixed: p}
}

// controlsServer runs serve with OpenAI and Anthropic fakes, an admin key,
// the controls predictor and rate limits on (serve's default).
type controlsServer struct {
	base      string
	openai    *upstreamtest.Fake
	anthropic *upstreamtest.Fake
}

func startControlsServe(t *testing.T) *controlsServer {
	t.Helper()
	return startControlsServeWith(t, filepath.Join(t.TempDir(), "modelrouter.db"), nil)
}

// startControlsServeWith is startControlsServe on database db, with mutate
// applied to serve's options last (nil: none).
func startControlsServeWith(t *testing.T, db string, mutate func(*serveOptions)) *controlsServer {
	t.Helper()
	oa, an := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	base, _, _ := startServe(t, oa, db, func(o *serveOptions) {
		o.environ = controlsEnviron(oa, an)
		o.predictor = controlsPredictor(t)
		o.rateLimits = true
		if mutate != nil {
			mutate(o)
		}
	})
	return &controlsServer{base: base, openai: oa, anthropic: an}
}

// controlsEnviron points serve at the two fakes, with the admin key.
func controlsEnviron(oa, an *upstreamtest.Fake) []string {
	return []string{
		"OPENAI_BASE_URL=" + oa.URL, "OPENAI_API_KEY=sk-up-openai",
		"ANTHROPIC_BASE_URL=" + an.Root, "ANTHROPIC_API_KEY=sk-up-anthropic",
		// DeepSeek, xAI, Meta and gpt-oss models go to the OpenAI fake.
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=" + oa.URL, "MODELROUTER_UPSTREAM_DEFAULT_API_KEY=sk-up-default",
		"MODELROUTER_ADMIN_KEY=" + controlsAdminKey,
	}
}

// call sends one request and returns the response with its body read.
func (s *controlsServer) call(t *testing.T, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, raw
}

// openAIError decodes the OpenAI error envelope, failing on another shape.
func openAIError(t *testing.T, raw []byte) (message, typ, code string) {
	t.Helper()
	var body map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &body), "error body %s", raw)
	for _, k := range []string{"message", "type", "param", "code"} {
		require.Contains(t, body["error"], k, "error body %s lacks %q", raw, k)
	}
	var e struct {
		Error struct{ Message, Type, Code string } `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &e))
	return e.Error.Message, e.Error.Type, e.Error.Code
}

type routedAnswer struct {
	Model   string `json:"model"`
	Details struct {
		Mode        string `json:"mode"`
		ChosenModel string `json:"chosen_model"`
		Candidates  []struct {
			Model string `json:"model"`
		} `json:"candidates"`
	} `json:"model_selection_details"`
}

func chatTo(deployment, extra string) string {
	return `{"model":"` + deployment + `","messages":[{"role":"user","content":"Summarise the plot of Hamlet"}]` + extra + `}`
}

// routerBody is a model-router deployment (capacity 50) with a mode and,
// when refs are given, a model subset.
func routerBody(mode string, refs ...string) string {
	routing := `"mode":"` + mode + `"`
	if len(refs) > 0 {
		routing += `,"models":[` + strings.Join(refs, ",") + `]`
	}
	return `{"sku":{"name":"GlobalStandard","capacity":50},"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"},"routing":{` + routing + `}}}`
}

const (
	refGPT41     = `{"format":"OpenAI","name":"gpt-4.1","version":"2025-04-14"}`
	refGPT41Nano = `{"format":"OpenAI","name":"gpt-4.1-nano","version":"2025-04-14"}`
	refSonnet    = `{"format":"Anthropic","name":"claude-sonnet-4-5","version":"20250929"}`
)

// TestServeDeploymentsChangeTheNextRequest stores deployments through the
// management API and checks that the very next chat request routes by them.
// Steps run in order: each builds on the deployments the earlier ones left.
func TestServeDeploymentsChangeTheNextRequest(t *testing.T) {
	s := startControlsServe(t)
	admin := []string{"Authorization", "Bearer " + controlsAdminKey}
	steps := []struct {
		name   string
		method string
		path   string
		body   string
		admin  bool
		status int
		// For chat calls that succeed: the answering model and mode.
		model, mode string
		// For errors: error.code, message parts and what it must not say.
		code     string
		inMsg    []string
		notInMsg []string
	}{
		{name: "built-in model-router is Balanced over the full set", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: gpt41Mini, mode: "balanced"},
		{name: "undeployed Claude is left out of the full set", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", `,"routing_config":{"mode":"quality"}`),
			status: 200, model: gpt5, mode: "quality"},
		{name: "routing_config.models cannot reach an undeployed Claude, and is told what to deploy", method: "POST", path: "/v1/chat/completions",
			body:   chatTo("model-router", `,"routing_config":{"models":["claude-sonnet-4-5"]}`),
			status: 400, code: router.EInvalid, inMsg: []string{`"claude-sonnet-4-5"`, "valid models: ", gpt41Nano,
				sonnet45 + " must be deployed before model router can route to it", `sku.name "GlobalStandard"`},
			notInMsg: []string{", " + sonnet45, "valid models: " + sonnet45}},
		{name: "management needs the admin key", method: "PUT", path: "/deployments/model-router", body: routerBody("cost"),
			status: 401, code: "invalid_api_key", inMsg: []string{"MODELROUTER_ADMIN_KEY"}},
		{name: "store model-router in Cost mode", method: "PUT", path: "/deployments/model-router", body: routerBody("cost"), admin: true, status: 201},
		{name: "the next request uses Cost", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: gpt41Nano, mode: "cost"},
		{name: "an unknown mode is refused", method: "PUT", path: "/deployments/model-router", body: routerBody("fastest"), admin: true,
			status: 400, code: "InvalidRoutingMode", inMsg: []string{`"fastest"`, "balanced, quality, cost"}},
		{name: "replace with Quality over gpt-4.1 and gpt-4.1-nano", method: "PUT", path: "/deployments/model-router", body: routerBody("quality", refGPT41, refGPT41Nano),
			admin: true, status: 200},
		{name: "the next request routes in the subset", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: gpt41Nano, mode: "quality"},
		{name: "routing_config.models cannot widen the subset", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", `,"routing_config":{"models":["gpt-5"]}`),
			status: 400, code: router.EInvalid, inMsg: []string{`"gpt-5"`, "valid models: " + gpt41 + ", " + gpt41Nano}},
		{name: "routing_config.mode still overrides the stored mode", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", `,"routing_config":{"mode":"balanced"}`),
			status: 200, model: gpt41Nano, mode: "balanced"},
		{name: "a model outside the router version is refused", method: "PUT", path: "/deployments/model-router",
			body: routerBody("quality", `{"format":"OpenAI","name":"gpt-4.1","version":"2099-01-01"}`), admin: true,
			status: 400, code: "InvalidRoutingModels", inMsg: []string{"valid models:", "gpt-4.1-nano"}},
		{name: "Claude in a subset before deploying it", method: "PUT", path: "/deployments/model-router", body: routerBody("quality", refSonnet, refGPT41Nano), admin: true,
			status: 400, code: "InvalidResourceProperties", inMsg: []string{sonnet45, "must be deployed before"}},
		{name: "refused changes changed nothing", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: gpt41Nano, mode: "quality"},
		{name: "deploy Claude Sonnet", method: "PUT", path: "/deployments/sonnet",
			body: `{"sku":{"name":"GlobalStandard","capacity":10},"properties":{"model":` + refSonnet + `}}`, admin: true, status: 201},
		{name: "now the subset may name it (through the /management alias)", method: "PUT", path: "/management/deployments/model-router",
			body: routerBody("quality", refSonnet, refGPT41Nano), admin: true, status: 200},
		{name: "a Claude deployment a router lists cannot be deleted", method: "DELETE", path: "/deployments/sonnet", admin: true,
			status: 409, code: "DeploymentInUse", inMsg: []string{"model-router"}},
		{name: "the next request goes to Claude", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: sonnet45, mode: "quality"},
		{name: "a model deployment is not callable as a router", method: "POST", path: "/v1/chat/completions", body: chatTo("sonnet", ""),
			status: 404, code: router.ENotFound, inMsg: []string{"sonnet"}},
		{name: "delete the stored model-router", method: "DELETE", path: "/deployments/model-router", admin: true, status: 200},
		{name: "back to the built-in Balanced, whose full set now has the deployed Claude", method: "POST", path: "/v1/chat/completions", body: chatTo("model-router", ""),
			status: 200, model: sonnet45, mode: "balanced"},
		{name: "the built-in full set under Cost (>= .931: Sonnet, gpt-5, gpt-4.1-mini)", method: "POST", path: "/v1/chat/completions",
			body: chatTo("model-router", `,"routing_config":{"mode":"cost"}`), status: 200, model: gpt41Mini, mode: "cost"},
	}
	for _, st := range steps {
		var header []string
		if st.admin {
			header = admin
		}
		resp, raw := s.call(t, st.method, st.path, st.body, header...)
		if !assert.Equal(t, st.status, resp.StatusCode, "%s: %s", st.name, raw) {
			t.FailNow() // later steps depend on this one
		}
		switch {
		case st.code != "":
			msg, _, code := openAIError(t, raw)
			assert.Equal(t, st.code, code, st.name)
			for _, part := range st.inMsg {
				assert.Contains(t, msg, part, st.name)
			}
			for _, part := range st.notInMsg {
				assert.NotContains(t, msg, part, st.name)
			}
		case st.model != "":
			var a routedAnswer
			require.NoError(t, json.Unmarshal(raw, &a), "%s: %s", st.name, raw)
			assert.Equal(t, st.model, a.Model, st.name)
			assert.Equal(t, st.model, a.Details.ChosenModel, st.name)
			assert.Equal(t, st.mode, a.Details.Mode, st.name)
		}
	}
	claude := 0
	for _, st := range steps {
		if st.model == sonnet45 {
			claude++
		}
	}
	require.Len(t, s.anthropic.Requests(), claude, "every Claude answer came from the Anthropic provider")
}

// TestServeCapacityIsEnforced drives a capacity-1 deployment (1,000 tokens
// and 6 requests per minute, a 3-second bucket: 0.3 requests) past its
// limit on the real clock: the second call within 10 seconds is refused.
func TestServeCapacityIsEnforced(t *testing.T) {
	s := startControlsServe(t)
	admin := []string{"Authorization", "Bearer " + controlsAdminKey}
	resp, raw := s.call(t, "PUT", "/deployments/tight",
		`{"sku":{"name":"GlobalStandard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`, admin...)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", raw)

	resp, raw = s.call(t, "POST", "/v1/chat/completions", chatTo("tight", ""))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	assert.Equal(t, "6", resp.Header.Get("x-ratelimit-limit-requests"))
	assert.Equal(t, "1000", resp.Header.Get("x-ratelimit-limit-tokens"))
	assert.NotEmpty(t, resp.Header.Get("x-ratelimit-remaining-tokens"))
	forwarded := len(s.openai.Requests())

	resp, raw = s.call(t, "POST", "/v1/chat/completions", chatTo("tight", ""))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "%s", raw)
	msg, typ, code := openAIError(t, raw)
	assert.Equal(t, router.ERateLimited, code)
	assert.Equal(t, "rate_limit_error", typ)
	assert.Contains(t, msg, `"tight"`)
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After in whole seconds")
	assert.InDelta(t, 10, retry, 1, "one request refills in 10 s at 6 per minute")
	assert.NotEmpty(t, resp.Header.Get("retry-after-ms"))
	for _, h := range []string{"x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
		"x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"} {
		assert.NotEmpty(t, resp.Header.Get(h), h)
	}
	assert.Equal(t, "0", resp.Header.Get("x-ratelimit-remaining-requests"))
	assert.Equal(t, forwarded, len(s.openai.Requests()), "a refused call is not forwarded")

	resp, raw = s.call(t, "POST", "/v1/chat/completions", chatTo("model-router", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "other deployments have their own capacity: %s", raw)
}

// sample is one line of a Prometheus text scrape.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

func parseScrape(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, val, ok := strings.Cut(line, " ")
		require.True(t, ok, "sample line %q", line)
		v, err := strconv.ParseFloat(val, 64)
		require.NoError(t, err, "sample line %q", line)
		s := sample{name: head, labels: map[string]string{}, value: v}
		if name, rest, ok := strings.Cut(head, "{"); ok {
			s.name = name
			for _, pair := range strings.Split(strings.TrimSuffix(rest, "}"), `",`) {
				if k, v, ok := strings.Cut(pair, `="`); ok {
					s.labels[k] = strings.TrimSuffix(v, `"`)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// findSample returns the value of the sample called name whose labels include
// want, and whether there is one.
func findSample(samples []sample, name string, want map[string]string) (float64, bool) {
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range want {
			if s.labels[k] != v {
				match = false
				break
			}
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

// TestServeMetricsAfterRequests sends a few requests through serve and
// reads /metrics: requests, tokens (reasoning included), cost and latency
// series labelled by deployment, mode and model, errors by code, failovers
// by the model that failed, and the router model gauge.
func TestServeMetricsAfterRequests(t *testing.T) {
	s := startControlsServe(t)
	admin := []string{"Authorization", "Bearer " + controlsAdminKey}
	resp, raw := s.call(t, "PUT", "/deployments/tight",
		`{"sku":{"name":"GlobalStandard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`, admin...)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", raw)

	// roomy routes in Quality mode to gpt-5, whose provider fails the first
	// call (failover to gpt-4.1-mini) and reports reasoning tokens after.
	resp, raw = s.call(t, "PUT", "/deployments/roomy", `{"sku":{"name":"GlobalStandard","capacity":1000},"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"},"routing":{"mode":"quality"}}}`, admin...)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", raw)
	s.openai.Set(gpt5, upstreamtest.Behavior{FailStatus: http.StatusInternalServerError, FailTimes: 1, ReasoningTokens: 40})

	requests := []struct {
		body   string
		status int
	}{
		{chatTo("model-router", ""), 200},
		{chatTo("model-router", ""), 200},
		{chatTo("model-router", `,"routing_config":{"mode":"cost"}`), 200},
		{chatTo("tight", ""), 200},
		{chatTo("tight", ""), 429},
		{chatTo("roomy", ""), 200},
		{chatTo("roomy", ""), 200},
	}
	for i, r := range requests {
		resp, raw := s.call(t, "POST", "/v1/chat/completions", r.body)
		require.Equal(t, r.status, resp.StatusCode, "request %d: %s", i, raw)
	}

	balanced := map[string]string{"deployment": "model-router", "mode": "balanced", "model": gpt41Mini}
	cost := map[string]string{"deployment": "model-router", "mode": "cost", "model": gpt41Nano}
	with := func(base map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for bk, bv := range base {
			out[bk] = bv
		}
		return out
	}
	// The record reaches the metrics after the response: poll briefly.
	var samples []sample
	require.Eventually(t, func() bool {
		resp, raw := s.call(t, "GET", "/metrics", "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		samples = parseScrape(t, string(raw))
		v, _ := findSample(samples, "modelrouter_errors_total", map[string]string{"deployment": "tight", "code": router.ERateLimited})
		n, _ := findSample(samples, "modelrouter_requests_total", balanced)
		r, _ := findSample(samples, "modelrouter_requests_total", map[string]string{"deployment": "roomy", "model": gpt5})
		return v == 1 && n == 2 && r == 1
	}, 5*time.Second, 10*time.Millisecond, "metrics for every request")

	checks := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64 // exact count; 0 means "positive"
	}{
		{"balanced requests", "modelrouter_requests_total", balanced, 2},
		{"cost requests", "modelrouter_requests_total", cost, 1},
		{"prompt tokens", "modelrouter_tokens_total", with(balanced, "type", "prompt"), 0},
		{"completion tokens", "modelrouter_tokens_total", with(balanced, "type", "completion"), 0},
		{"cost in USD", "modelrouter_cost_usd_total", balanced, 0},
		{"cost in USD, cost mode", "modelrouter_cost_usd_total", cost, 0},
		{"total latency", "modelrouter_request_duration_seconds_count", balanced, 2},
		{"decision latency", "modelrouter_routing_decision_seconds_count", balanced, 2},
		{"time to first byte", "modelrouter_upstream_first_byte_seconds_count", balanced, 2},
		{"rate-limited error", "modelrouter_errors_total", map[string]string{"deployment": "tight", "status_class": "4xx", "code": router.ERateLimited}, 1},
		{"router model version", "modelrouter_router_model_info", map[string]string{"version": "test"}, 1},
		{"failover from gpt-5", "modelrouter_failovers_total", map[string]string{"deployment": "roomy", "mode": "quality", "model": gpt5}, 1},
		{"the failed-over request counts for the model that answered", "modelrouter_requests_total",
			map[string]string{"deployment": "roomy", "mode": "quality", "model": gpt41Mini}, 1},
		{"the next one for gpt-5", "modelrouter_requests_total", map[string]string{"deployment": "roomy", "mode": "quality", "model": gpt5}, 1},
		{"reasoning tokens", "modelrouter_tokens_total", map[string]string{"deployment": "roomy", "mode": "quality", "model": gpt5, "type": "reasoning"}, 40},
	}
	for _, c := range checks {
		v, ok := findSample(samples, c.metric, c.labels)
		if !assert.True(t, ok, "%s: no %s%v in the scrape", c.name, c.metric, c.labels) {
			continue
		}
		if c.want == 0 {
			assert.Positive(t, v, c.name)
		} else {
			assert.Equal(t, c.want, v, c.name)
		}
	}
}
