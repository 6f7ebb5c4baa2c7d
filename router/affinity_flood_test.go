package router_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The affinity table holds 100,000 sessions. When one client opens more
// than that, the least recently used sessions make room, one per new
// session: a conversation that keeps talking keeps its model, however many
// sessions another client opens.
func TestAffinityFloodKeepsActiveSessions(t *testing.T) {
	now := time.Unix(1000, 0)
	r := newRouter(t, router.Config{AffinityTTL: time.Hour, Now: func() time.Time { return now }})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()

	// The active conversation is on "strong" (the policy alone would pick
	// "mid").
	r.Pin("d", "active", "strong")
	active := func() router.Decision {
		t.Helper()
		d, err := r.Decide(ctx, dep, router.Request{SessionKey: "active"})
		require.NoError(t, err)
		return d
	}
	require.Equal(t, "strong", active().ChosenID)

	// Another client opens 150,000 sessions while it keeps talking.
	const flood = 150_000
	for i := range flood {
		if i%1000 == 0 {
			now = now.Add(time.Millisecond)
			require.Equal(t, "strong", active().ChosenID, "the active session lost its model after %d new sessions", i)
		}
		_, err := r.Decide(ctx, dep, router.Request{SessionKey: "flood-" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	d := active()
	assert.Equal(t, "strong", d.ChosenID, "the active conversation was reset by another client's sessions")
	assert.True(t, d.Affinity)

}
