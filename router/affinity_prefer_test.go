package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A request's preferred model (a continuation's writer, which the gateway
// knows without a pin) is followed as a session's pin is, but never
// written: however many such decisions run, a table of one session keeps
// it, where one new session pushes it out.
func TestPreferredModelIsFollowedWithoutTakingASessionsPlace(t *testing.T) {
	unhealthy := ""
	r := newRouter(t, router.Config{AffinityMax: 1, Unhealthy: func(m router.Model) string {
		if m.ID == unhealthy {
			return "failing"
		}
		return ""
	}})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()
	decide := func(req router.Request) router.Decision {
		t.Helper()
		d, err := r.Decide(ctx, dep, req)
		require.NoError(t, err)
		return d
	}
	require.Equal(t, "mid", decide(router.Request{}).ChosenID, "Balanced's pick")

	r.Pin("d", "header", "strong")
	for i := range 20 {
		d := decide(router.Request{Prefer: "weak"})
		require.Equal(t, "weak", d.ChosenID, "turn %d", i)
		require.True(t, d.Affinity)
	}
	d := decide(router.Request{SessionKey: "header"})
	assert.Equal(t, "strong", d.ChosenID, "preferred models pushed the session out of the table")
	assert.True(t, d.Affinity)

	// The session's own pin goes before a preference.
	assert.Equal(t, "strong", decide(router.Request{SessionKey: "header", Prefer: "weak"}).ChosenID)

	// A preferred model that keeps failing is tried last, as a pinned one.
	unhealthy = "weak"
	d = decide(router.Request{Prefer: "weak"})
	assert.Equal(t, "mid", d.ChosenID)
	assert.False(t, d.Affinity)
	unhealthy = ""

	// The table holds one session: a new one pushes the other out.
	decide(router.Request{SessionKey: "new"})
	assert.Equal(t, "mid", decide(router.Request{SessionKey: "header"}).ChosenID, "AffinityMax is not the table's size")
}
