package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/store"
)

// A call whose request went out to the provider counts as routed in the
// cost report even when no status came back: the provider read it and then
// dropped the connection, or the client left while the provider worked on
// it. The provider had the request, and may bill for it.
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
			t.Logf("outcome status %d, attempts %+v", out.Status, out.Attempts)

			path := filepath.Join(t.TempDir(), "log.db")
			s, err := store.Open(path)
			require.NoError(t, err)
			s.Log().Record(router.Record{
				RequestID: "sent", Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
				Decision: router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: m.ID, Propensity: 1,
					Candidates: []router.Candidate{
						{Model: m.ID, Profile: "m", Eligible: true, Quality: .8, ExpectedCost: .002},
						{Model: "big", Profile: "big", Eligible: true, Quality: .9, ExpectedCost: .02},
					}},
				Answered: out.Answered.ID, Attempts: out.Attempts, Status: out.Status, ErrorCode: router.ErrorCode(out.Err),
			})
			require.NoError(t, s.Close())
			db, err := store.OpenReadOnly(path)
			require.NoError(t, err)
			defer db.Close()
			rep, err := store.NewReports(db).Report(context.Background(), store.ReportQuery{})
			require.NoError(t, err)
			require.Equal(t, int64(1), rep.Total.Requests)
			assert.Equal(t, int64(1), rep.Total.Routed, "a call whose request reached the provider is not refused or skipped before sending")
			assert.InDelta(t, .002, rep.Total.RoutedExpectedUSD, 1e-12)
		})
	}
}
