package server

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// fullLimiter refuses every call while full is set, as a deployment over
// its capacity does.
type fullLimiter struct{ full atomic.Bool }

func (l *fullLimiter) Admit(router.Deployment, int) (func(int), http.Header, bool) {
	if l.full.Load() {
		return nil, http.Header{"Retry-After": {"1"}}, false
	}
	return func(int) {}, nil, true
}

// A session whose model is waiting out its provider's Retry-After moves to
// the model that answers (README: Unhealthy models are tried last). A turn
// the deployment's capacity refuses reached no model, so it does not move
// the session: once the wait is over, the conversation is still on its
// model, where a Quality call alone would go to large.
func TestSessionStaysOnItsWaitingModelWhenTheTurnIsRefusedBeforeSending(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	limiter := &fullLimiter{}
	e := newE2E(t, withBackoff(&upstream.Backoff{Now: clock}), func(c *Config) { c.Limiter = limiter })
	const models = `"large","mini","nano"`

	st, m := doInSession(t, e, "conv-waiting", "balanced", models)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "mini", m)

	// mini's provider asks to wait 30 s, on a call of another session.
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailTimes: 1,
		FailHeader: http.Header{"Retry-After": {"30"}}})
	st, m = doInSession(t, e, "other", "balanced", models)
	require.Equal(t, http.StatusOK, st)
	require.NotEqual(t, "mini", m, "mini is waiting")

	// The session's next turn is refused by the deployment's capacity.
	limiter.full.Store(true)
	st, _ = doInSession(t, e, "conv-waiting", "balanced", models)
	require.Equal(t, http.StatusTooManyRequests, st)
	limiter.full.Store(false)

	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	st, m = doInSession(t, e, "conv-waiting", "quality", models)
	require.Equal(t, http.StatusOK, st)
	assert.Equal(t, "mini", m, "a turn that reached no model moved the session to the model routing chose for it")
}
