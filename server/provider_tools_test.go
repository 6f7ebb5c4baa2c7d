package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// providerFakes are the fake APIs atProviders dials: OpenAI's, Groq's
// (gpt-oss-120b's provider) and xAI's (grok-4's).
type providerFakes struct{ openai, groq, xai *upstreamtest.Fake }

// atProviders serves the shipped catalog with the openai provider at
// OpenAI's API, gpt-oss-120b's at Groq's and grok-4's at xAI's, each
// reaching its own fake on loopback, with --agent-tools-openai-only on,
// as it is by default. pred favours gpt-4.1-mini, so a call it may serve
// goes there.
func atProviders(t *testing.T) (url string, f providerFakes) {
	t.Helper()
	cat, pred := catalogPrediction(t)
	mini, ok := cat.Model("gpt-4.1-mini-2025-04-14")
	require.True(t, ok)
	pred[mini.Profile] = router.Estimate{Quality: 0.95, OutputTokens: 200}

	f = providerFakes{openai: upstreamtest.NewOpenAI(t), groq: upstreamtest.NewOpenAI(t), xai: upstreamtest.NewOpenAI(t)}
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":  {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://api.openai.com/v1", APIKey: "sk-upstream"},
		"gpt-oss": {Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: "http://api.groq.com/openai/v1", APIKey: "gsk_test"},
		"xai":     {Name: "xai", Kind: upstream.KindOpenAI, BaseURL: "http://api.x.ai/v1", APIKey: "xai-test"},
	}}
	url = gatewayAtPublicHosts(t, cat, pred, ps, map[string]*upstreamtest.Fake{"api.openai.com": f.openai, "api.groq.com": f.groq, "api.x.ai": f.xai})
	return url, f
}

// gatewayAtPublicHosts serves cat with the providers ps, whose base URLs
// name providers' own public hosts: each host in fakes is dialled at its
// fake on loopback, and any other is refused. --agent-tools-openai-only is
// on, as it is by default.
func gatewayAtPublicHosts(t *testing.T, cat router.Catalog, pred router.Prediction, ps upstream.Providers, fakes map[string]*upstreamtest.Fake) string {
	t.Helper()
	addr := map[string]string{}
	for host, fake := range fakes {
		addr[host] = strings.TrimPrefix(fake.Root, "http://")
	}
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(t, err)
	dialer := &net.Dialer{Timeout: time.Second}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(a)
		if to, ok := addr[host]; ok {
			return dialer.DialContext(ctx, network, to)
		}
		return nil, errors.New("tests reach their fakes only, not " + a)
	}}}
	cfg := Config{
		Router:               rt,
		Forwarder:            &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second, Client: client},
		Supports:             ps.Supports,
		Available:            ps.Available,
		AgentToolsOpenAIOnly: true,
		Log:                  &recordLog{},
	}
	ts := httptest.NewServer(New(cfg).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func postTo(t *testing.T, url, path, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// A call that declares a tool type of one provider's own API, not
// OpenAI's (Groq's browser_search, on Chat Completions and Responses;
// Groq's code_interpreter on Chat Completions; xAI's x_search on
// Responses), goes only to the models that API runs it for: OpenAI's
// API would answer it with a 400 that no failover follows. With only
// OpenAI's model allowed, it is 400 no_eligible, naming the type and
// where it runs, and nothing is sent; with the provider's model beside
// it, the call goes there with the tool as written and OpenAI's model is
// left out, saying why.
func TestAProvidersOwnToolTypeGoesOnlyWhereItRuns(t *testing.T) {
	for _, c := range []struct {
		name, path, body, tool, model, where string
		at                                   func(providerFakes) *upstreamtest.Fake
	}{
		{"browser_search on chat", "/v1/chat/completions", `"messages":[{"role":"user","content":"What changed in the news today?"}]`,
			`{"type":"browser_search"}`, "gpt-oss-120b", "Groq's API (api.groq.com) runs for gpt-oss models",
			func(f providerFakes) *upstreamtest.Fake { return f.groq }},
		{"code_interpreter on chat", "/v1/chat/completions", `"messages":[{"role":"user","content":"Compute 2**100."}]`,
			`{"type":"code_interpreter"}`, "gpt-oss-120b", "Groq's API (api.groq.com) runs for gpt-oss models",
			func(f providerFakes) *upstreamtest.Fake { return f.groq }},
		{"browser_search on responses", "/v1/responses", `"input":"What changed in the news today?"`,
			`{"type":"browser_search"}`, "gpt-oss-120b", "Groq's API (api.groq.com) runs for gpt-oss models",
			func(f providerFakes) *upstreamtest.Fake { return f.groq }},
		{"x_search on responses", "/v1/responses", `"input":"What are people on X saying about the launch?"`,
			`{"type":"x_search"}`, "grok-4", "xAI's API (api.x.ai) runs",
			func(f providerFakes) *upstreamtest.Fake { return f.xai }},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, f := atProviders(t)
			typ := strings.TrimSuffix(strings.TrimPrefix(c.tool, `{"type":"`), `"}`)
			status, raw := postTo(t, url, c.path, `{"model":"model-router",`+c.body+`,"tools":[`+c.tool+`],`+
				`"routing_config":{"models":["gpt-4.1-mini"]}}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", raw)
			e := errorOf(t, raw)
			assert.Equal(t, "no_eligible", *e.Error.Code)
			assert.Contains(t, e.Error.Message, `tool type "`+typ+`" is one `+c.where)
			assert.Empty(t, f.openai.Requests(), "the call reached OpenAI")

			status, raw = postTo(t, url, c.path, `{"model":"model-router",`+c.body+`,"tools":[`+c.tool+`],`+
				`"routing_config":{"models":["gpt-4.1-mini","`+c.model+`"]}}`)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			assert.Empty(t, f.openai.Requests(), "the call reached OpenAI")
			reqs := c.at(f).Requests()
			require.Len(t, reqs, 1)
			var sent struct {
				Tools []json.RawMessage `json:"tools"`
			}
			require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
			require.Len(t, sent.Tools, 1)
			assert.JSONEq(t, c.tool, string(sent.Tools[0]), "the tool reaches the provider as the client wrote it")
			assert.Contains(t, reasonFor(t, raw, "gpt-4.1-mini-2025-04-14"), `tool type "`+typ+`" is one `+c.where)
		})
	}
}
