package server

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The cost and savings report (and the dashboard that reads it) says what
// routing saved on the traffic it served. Calls that were decided but never
// forwarded — a POST /v1/route dry run (the playground's "Decide only"), a
// call refused 429 by the deployment's capacity — cost nothing and had no
// alternative cost either: they must not add routed expected cost or
// savings, nor be attributed to the model that never answered them.
func TestReportSavingsLeaveOutCallsNeverForwarded(t *testing.T) {
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
			assert.Zero(t, rep.Total.CostUSD)
			assert.Zero(t, rep.Total.RoutedExpectedUSD, "routed expected cost of calls never forwarded")
			assert.Zero(t, rep.Total.SavingsStrongest, "savings vs strongest claimed on calls never forwarded")
		})
	}
}
