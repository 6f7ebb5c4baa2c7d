package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// overheadRig is a gateway in front of a fake OpenAI provider, both on
// loopback, and a keep-alive client for each.
type overheadRig struct {
	direct, gateway string
	client          *http.Client
	upstreamBody    []byte
	gatewayBody     []byte
}

func newOverheadRig(tb testing.TB) *overheadRig {
	tb.Helper()
	fake := upstreamtest.NewOpenAI(tb)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream"},
		"anthropic": {Name: "anthropic", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream"},
	}}
	tr := &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}
	srv := New(Config{
		Router:    newTestRouter(tb, ps.Available),
		Forwarder: &upstream.Forwarder{Providers: ps, Client: &http.Client{Transport: tr}},
		Supports:  ps.Supports,
		Log:       &discardLog{},
	})
	gw := httptest.NewServer(srv.Handler())
	tb.Cleanup(gw.Close)
	prompt := `"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Explain in two sentences why the sky is blue."}]`
	return &overheadRig{
		direct:       fake.URL + "/chat/completions",
		gateway:      gw.URL + "/v1/chat/completions",
		client:       &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}},
		upstreamBody: []byte(`{"model":"mini",` + prompt + `}`),
		gatewayBody:  []byte(`{"model":"model-router",` + prompt + `}`),
	}
}

type discardLog struct{}

func (*discardLog) Record(router.Record) {}

// post sends one chat completion and returns its latency.
func (r *overheadRig) post(tb testing.TB, url string, body []byte) time.Duration {
	start := time.Now()
	resp, err := r.client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s: HTTP %d", url, resp.StatusCode)
	}
	return time.Since(start)
}

// BenchmarkGatewayOverhead measures one non-streaming chat completion
// straight to the fake provider and the same through the gateway, in the
// same loop, and reports both and the difference: what the gateway adds
// (parse, decide with the test predictor, rewrite, forward, inject
// model_selection_details, record).
func BenchmarkGatewayOverhead(b *testing.B) {
	rig := newOverheadRig(b)
	rig.post(b, rig.direct, rig.upstreamBody)
	rig.post(b, rig.gateway, rig.gatewayBody)
	var direct, gateway time.Duration
	b.ResetTimer()
	for b.Loop() {
		direct += rig.post(b, rig.direct, rig.upstreamBody)
		gateway += rig.post(b, rig.gateway, rig.gatewayBody)
	}
	n := float64(b.N)
	b.ReportMetric(float64(direct.Microseconds())/n, "direct-µs/op")
	b.ReportMetric(float64(gateway.Microseconds())/n, "gateway-µs/op")
	b.ReportMetric(float64((gateway-direct).Microseconds())/n, "added-µs/op")
}

func TestOverheadRigAnswers(t *testing.T) {
	rig := newOverheadRig(t)
	require.Positive(t, rig.post(t, rig.direct, rig.upstreamBody))
	require.Positive(t, rig.post(t, rig.gateway, rig.gatewayBody))
}
