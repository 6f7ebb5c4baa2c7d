package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// benchGateway is the gateway BenchmarkGatewayHandler measures: the
// shipped catalog, every profile predicted, an in-memory provider that
// answers one chat completion, and a decision log that drops its rows.
// mutate, when set, changes its Config.
func benchGateway(b *testing.B, mutate func(*Config)) http.Handler {
	cat, err := models.Catalog()
	require.NoError(b, err)
	// Every profile of every version, each with numbers of its own, as
	// the router model predicts them (Versions ends with the oldest, whose
	// 4 profiles alone left 18 of the 22 candidates unscored).
	pred := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if _, done := pred[m.Profile]; !done {
				i := len(pred)
				pred[m.Profile] = router.Estimate{Quality: 0.5 + float64(i%17)/40, OutputTokens: 300 + float64(i*37%500)}
			}
		}
	}
	ps := upstream.Providers{Default: &upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: "http://provider.invalid/v1", APIKey: "sk-upstream"}}
	answer := []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,` +
		`"message":{"role":"assistant","content":"Sunlight scatters off air molecules; blue light scatters most, so the sky looks blue."},` +
		`"finish_reason":"stop"}],"usage":{"prompt_tokens":31,"completion_tokens":19,"total_tokens":50}}`)
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(b, err)
	cfg := Config{
		Router:    rt,
		Forwarder: &upstream.Forwarder{Providers: ps, Client: &http.Client{Transport: answerTransport{answer}}},
		Supports:  ps.Supports,
		Log:       &discardLog{},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return New(cfg).Handler()
}

// BenchmarkKeyCheck is a chat call with --require-keys: with a good key
// (answered as BenchmarkGatewayHandler's chat), and with a wrong one,
// refused before anything is decided (what a flood of wrong keys costs
// the gateway, the decision log aside).
func BenchmarkKeyCheck(b *testing.B) {
	h := benchGateway(b, func(c *Config) { c.RequireKeys, c.Keys = true, keyStore{"sk-good": true} })
	body := `{"model":"model-router","messages":[{"role":"system","content":"You are a helpful assistant."},` +
		`{"role":"user","content":"Explain in two sentences why the sky is blue."}]}`
	for _, k := range []struct {
		name, key string
		status    int
	}{{"good key", "sk-good", http.StatusOK}, {"wrong key", "sk-wrong", http.StatusUnauthorized}} {
		b.Run(k.name, func(b *testing.B) {
			serve := func() int {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
				req.Host = loopbackHost
				req.Header.Set("Authorization", "Bearer "+k.key)
				h.ServeHTTP(w, req)
				return w.Code
			}
			require.Equal(b, k.status, serve())
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}
