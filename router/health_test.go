package router_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func unhealthy(ids ...string) func(router.Model) string {
	return func(m router.Model) string {
		for _, id := range ids {
			if m.ID == id {
				return "unhealthy: 3 failures in a row"
			}
		}
		return ""
	}
}

func order(d router.Decision) []string {
	out := []string{d.ChosenID}
	for _, m := range d.Fallbacks {
		out = append(out, m.ID)
	}
	return out
}

// A model whose provider keeps failing is tried last: the best healthy
// model answers, in rank order, and the reasons say why.
func TestUnhealthyModelsAreTriedLast(t *testing.T) {
	r := newRouter(t, router.Config{Unhealthy: unhealthy("mid", "strong")})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, []string{"claude", "weak", "thinker", "mid", "strong"}, order(d),
		"healthy in rank order (mid, strong, claude, weak, thinker), then the unhealthy in rank order")
	reasons := map[string]router.Candidate{}
	for _, c := range d.Candidates {
		reasons[c.Model] = c
	}
	assert.Contains(t, reasons["claude"].Reason, "chosen: ")
	assert.Contains(t, reasons["claude"].Reason, "2 unhealthy or rate-limited models are left out of the band and tried last")

	assert.Equal(t, 1, reasons["claude"].Rank)
	assert.Equal(t, "tried last: unhealthy: 3 failures in a row", reasons["mid"].Reason)
	assert.Equal(t, 4, reasons["mid"].Rank)
	assert.True(t, reasons["mid"].Eligible, "still a candidate: tried when every healthy one fails")
}

// The reasons of the models that lost compare them with the model chosen
// now, not with the unhealthy one the policy would have picked.
func TestUnhealthyReasonsCompareWithTheNewChoice(t *testing.T) {
	r := newRouter(t, router.Config{Unhealthy: unhealthy("weak")})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{Mode: router.ModeCost})
	require.NoError(t, err)
	require.Equal(t, "mid", d.ChosenID, "the cheapest healthy model in the Cost band")
	byModel := map[string]router.Candidate{}
	for _, c := range d.Candidates {
		byModel[c.Model] = c
	}
	assert.Contains(t, byModel["claude"].Reason, fmt.Sprintf("above $%.6f", byModel["mid"].ExpectedCost))
	assert.Equal(t, 2, byModel["claude"].Rank)
}

func TestEveryModelUnhealthyStillRoutes(t *testing.T) {
	r := newRouter(t, router.Config{Unhealthy: unhealthy("strong", "weak")})
	dep := router.Deployment{Name: "d", Models: []string{"strong", "weak"}}
	d, err := r.Decide(context.Background(), dep, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, []string{"strong", "weak"}, order(d), "the rank order, as if none were unhealthy")
	assert.Contains(t, d.Candidates[0].Reason, "chosen: ")
	assert.Contains(t, d.Candidates[0].Reason, "every model is unhealthy")

	// A session keeps its model when every model is unhealthy alike.
	r.Pin("d", "s1", "weak")
	d, err = r.Decide(context.Background(), dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "weak", d.ChosenID)
}

// A session lets go of a model that keeps failing, and stays on the one
// that answers instead.
func TestSessionLetsGoOfAnUnhealthyModel(t *testing.T) {
	var sick []string
	r := newRouter(t, router.Config{Unhealthy: func(m router.Model) string { return unhealthy(sick...)(m) }})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()
	r.Pin("d", "s1", "claude")
	d, err := r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	require.Equal(t, "claude", d.ChosenID)
	require.True(t, d.Affinity)

	sick = []string{"claude"}
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	assert.False(t, d.Affinity)
	r.Pin("d", "s1", "mid") // mid answers: the gateway pins the model that answers

	sick = nil
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID, "the session moved with its answers")
}

// Deciding for a session whose model is unhealthy does not move it: the
// call may be refused before it is sent (the deployment's capacity, the
// key's budget) or left before its answer, and then no other model
// answered. Once its model is healthy again, the session is still its.
func TestSessionKeepsAnUnhealthyModelUntilAnotherAnswers(t *testing.T) {
	var sick []string
	r := newRouter(t, router.Config{Unhealthy: func(m router.Model) string { return unhealthy(sick...)(m) }})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()
	r.Pin("d", "s1", "claude")

	sick = []string{"claude"}
	d, err := r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	require.Equal(t, "mid", d.ChosenID)

	sick = nil
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "claude", d.ChosenID, "a decision no answer followed moved the session off its model")
	assert.True(t, d.Affinity)
}
