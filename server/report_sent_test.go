package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A call whose request went out to the provider counts as routed in the
// cost report even when no status came back: the provider read it and then
// dropped the connection, or the client left while the provider worked on
// it. The provider had the request, and may bill for it. No answer came,
// so it did no work to save on: no expected cost and no saving.
func TestReportCountsACallSentToTheProviderAsRouted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(got chan<- struct{}, release <-chan struct{}) http.HandlerFunc
		leave   bool // the client leaves once the provider has the request
	}{
		{name: "provider dropped the connection after reading the request", handler: func(got chan<- struct{}, _ <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				got <- struct{}{}
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					_ = conn.Close()
				}
			}
		}},
		{name: "client left while the provider worked on it", leave: true, handler: func(got chan<- struct{}, release <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				got <- struct{}{}
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int64
			got := make(chan struct{}, 4)
			release := make(chan struct{})
			h := tc.handler(got, release)
			provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				h(w, r)
			}))
			defer provider.Close()
			defer close(release)
			m := router.Model{ID: "mini-id", Name: "mini", Provider: "openai", Format: "OpenAI", InputPerMTok: 1, OutputPerMTok: 4}
			fwd := &upstream.Forwarder{Providers: upstream.Providers{ByName: map[string]upstream.Provider{
				"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: provider.URL, APIKey: "k"},
			}}, Deadline: 30 * time.Second, AttemptTimeout: 30 * time.Second}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.leave {
				go func() { <-got; cancel() }()
			}
			out := fwd.Forward(ctx, httptest.NewRecorder(), upstream.Call{
				API: upstream.APIChatCompletions, Order: []router.Model{m},
				Raw: []byte(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`),
			})
			require.Equal(t, int64(1), hits.Load(), "the provider got the request")
			require.Empty(t, out.Answered.ID)
			require.Len(t, out.Attempts, 1)

			rep := reportOfOutcome(t, m.ID, out)
			require.Equal(t, int64(1), rep.Total.Requests)
			assert.Equal(t, int64(1), rep.Total.Routed, "a call whose request reached the provider is not refused or skipped before sending")
			assert.Zero(t, rep.Total.Answered)
			assert.Zero(t, rep.Total.RoutedExpectedUSD, "expected cost of a call no model answered")
			assert.Zero(t, rep.Total.SavingsStrongest, "savings claimed on a call no model answered")
		})
	}
}
