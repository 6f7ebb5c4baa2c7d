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

// The cost and savings report (and the dashboard that reads it) says what
// routing saved on the traffic it served. Calls that were decided but never
// forwarded — a POST /v1/route dry run (the playground's "Decide only"), a
// call refused 429 by the deployment's capacity — cost nothing and had no
// alternative cost either: they must not add routed expected cost or
// savings, nor be attributed to the model that never answered them, neither
// in the report nor in the timeline the dashboard charts per model.
func TestReportAndTimelineLeaveOutCallsNeverForwarded(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		cfg        func(*Config)
		status     int
	}{
		{name: "dry run /v1/route", path: "/v1/route", status: http.StatusOK},
		{name: "refused 429", path: "/v1/chat/completions", cfg: func(c *Config) { c.Limiter = refusingLimiter{} }, status: http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.db")
			st, err := store.Open(path)
			require.NoError(t, err)
			s, _, fwd := newTestServer(t, func(c *Config) {
				c.Log = st.Log()
				if tc.cfg != nil {
					tc.cfg(c)
				}
			})
			for range 5 {
				w := do(s.Handler(), http.MethodPost, tc.path, chatBody)
				require.Equal(t, tc.status, w.Code, w.Body.String())
			}
			require.Zero(t, fwd.calls.Load(), "nothing was forwarded")
			require.NoError(t, st.Close())

			db, err := store.OpenReadOnly(path)
			require.NoError(t, err)
			defer db.Close()
			rep, err := store.NewReports(db).Report(context.Background(), store.ReportQuery{})
			require.NoError(t, err)
			require.Equal(t, int64(5), rep.Total.Requests, "every call is logged")
			assert.Zero(t, rep.Total.CostUSD)
			assert.Zero(t, rep.Total.RoutedExpectedUSD, "routed expected cost of calls never forwarded")
			assert.Zero(t, rep.Total.SavingsStrongest, "savings vs strongest claimed on calls never forwarded")
			points, err := store.NewReports(db).Timeline(context.Background(), store.TimelineQuery{Bucket: time.Hour})
			require.NoError(t, err)
			assert.Empty(t, points, "the timeline charts calls never forwarded as traffic to a model")
		})
	}
}

// Routed cost and savings count the requests that reached a provider. A
// call that the forwarder refused before sending anything (here a chat call
// with n=2 whose only candidate is a Claude model: the translation cannot
// carry it, 400) logs an attempt, but it cost nothing and had no
// alternative cost either.
func TestReportLeavesOutACallNoProviderWasAsked(t *testing.T) {
	var hits atomic.Int64
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer provider.Close()
	claude := router.Model{ID: "claude-x-id", Name: "claude-x", Provider: "anthropic", Format: "Anthropic", OutputPerMTok: 15, InputPerMTok: 3}
	fwd := &upstream.Forwarder{Providers: upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: provider.URL, APIKey: "k"},
	}}, Deadline: 10 * time.Second, AttemptTimeout: 10 * time.Second}
	out := fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Order: []router.Model{claude},
		Raw: []byte(`{"model":"model-router","n":2,"messages":[{"role":"user","content":"hi"}]}`),
	})
	require.Equal(t, http.StatusBadRequest, out.Status, "the translation refuses n > 1")
	require.Zero(t, hits.Load(), "no provider was asked")
	require.Len(t, out.Attempts, 1, "yet the call has an attempt to log")

	rep := reportOfOutcome(t, claude.ID, out)
	assert.Equal(t, int64(1), rep.Total.Requests)
	assert.Zero(t, rep.Total.Routed, "a call no provider was asked is counted as routed")
	assert.Zero(t, rep.Total.RoutedExpectedUSD, "routed expected cost of a call never forwarded")
	assert.Zero(t, rep.Total.SavingsStrongest, "savings claimed on a call never forwarded")
}

// reportOfOutcome logs one call, chosen = model (predicted 0.8 at $0.002)
// against a stronger "big" (0.9 at $0.02), with the forwarder's outcome,
// and returns the cost report over that log.
func reportOfOutcome(t *testing.T, model string, out upstream.Outcome) *store.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	s.Log().Record(router.Record{
		RequestID: "call", Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
		Decision: router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: model, Propensity: 1,
			Candidates: []router.Candidate{
				{Model: model, Profile: "m", Eligible: true, Quality: .8, ExpectedCost: .002},
				{Model: "big", Profile: "big", Eligible: true, Quality: .9, ExpectedCost: .02},
			}},
		Answered: out.Answered.ID, Attempts: out.Attempts, Status: out.Status, ErrorCode: router.ErrorCode(out.Err),
	})
	require.NoError(t, s.Close())
	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	rep, err := store.NewReports(db).Report(context.Background(), store.ReportQuery{})
	require.NoError(t, err)
	return rep
}
