package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// The routed side of a saving is the expected cost of the model that
// answered (or the one chosen), whoever picked it: a failover to a model
// dearer than the strongest, or a conversation kept on such a model by
// session affinity (the mode's pick passed over), gives a negative saving
// against always the strongest, though routing chose no such trade of
// cost for quality. The README says so where it explains negative savings.
func TestSavingIsNegativeWhenTheModelThatAnsweredCostsMoreThanTheStrongest(t *testing.T) {
	cands := []router.Candidate{cand("big", .9, .01), cand("mid", .8, .002), cand("pricey", .85, .03)}
	record := func(id, chosen, answered string, affinity bool, attempts ...router.Attempt) router.Record {
		return router.Record{
			RequestID: id, Time: day(5, 10), API: "chat.completions", PromptHash: "h-" + id,
			Decision: router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: chosen, Affinity: affinity, Candidates: cands},
			Attempts: attempts, Answered: answered, Status: 200,
		}
	}
	for _, tc := range []struct {
		name string
		rec  router.Record
	}{
		{"failover", record("failed-over", "mid", "pricey", false,
			router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "pricey", Status: 200})},
		{"session affinity", record("kept", "pricey", "pricey", true, router.Attempt{Model: "pricey", Status: 200})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustOpen(t)
			logged(t, s, tc.rec)
			tot := report(t, s.Reports(), store.ReportQuery{}).Total
			assert.Equal(t, int64(1), tot.Answered)
			assert.InDelta(t, .03, tot.RoutedExpectedUSD, 1e-12, "the answering model's expected cost")
			assert.InDelta(t, .01, tot.StrongestUSD, 1e-12)
			assert.InDelta(t, .01-.03, tot.SavingsStrongest, 1e-12, "negative")
		})
	}
}
