package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A model a whole-version deployment leaves out for want of a deployment
// of its own (Candidate.LeftOut) was logged on every row with the reason
// that says what to deploy, 400-440 bytes each, the same on every row:
// four of them made a row take a 4 KiB page alone (BenchmarkRowOnDisk).
// The log names each with a short reason instead, which sqlite3 finds,
// and every reader reads it; rows written before, in the long form, read
// as they were.
func TestALeftOutModelIsLoggedShort(t *testing.T) {
	s := MustOpen(t)
	claudes := []string{"claude-haiku-4-5-20251001", "claude-opus-4-1-20250805", "claude-opus-4-6", "claude-sonnet-4-5-20250929"}
	withLeftOut := func(id string, short bool) router.Record {
		r := sampleRecord(id, sampleTime)
		for _, m := range claudes {
			r.Decision.Candidates = append(r.Decision.Candidates, router.Candidate{Model: m, Profile: m,
				Reason:  fmt.Sprintf(`excluded: %s must be deployed before model router can route to it: first PUT a deployment with properties.model {"format": "Anthropic", "name": %q, "version": "1"} and sku.name "GlobalStandard"`, m, m),
				LeftOut: short})
		}
		return r
	}
	plain, short, old := sampleRecord("plain", sampleTime), withLeftOut("short", true), withLeftOut("old", false)
	logged(t, s, plain, short, old)

	length := func(id string) int {
		var n int
		require.NoError(t, s.DB().QueryRow(`SELECT length(candidates) FROM decisions WHERE request_id = ?`, id).Scan(&n))
		return n
	}
	added := length("short") - length("plain")
	assert.Less(t, added, 128*len(claudes), "at most 128 bytes a left-out model, not the reason that says what to deploy")

	// As a sqlite3 user finds them: the name, the short reason, and
	// eligible 0 and rank 0 as every excluded candidate has.
	rows, err := s.DB().Query(`SELECT json_extract(c.value, '$.model'), json_extract(c.value, '$.eligible'), json_extract(c.value, '$.rank')
		FROM decisions AS d, json_each(d.candidates) AS c
		WHERE d.request_id = 'short' AND json_extract(c.value, '$.reason') = ?`, router.LeftOutLogReason)
	require.NoError(t, err)
	var found []string
	for rows.Next() {
		var model string
		var eligible, rank int
		require.NoError(t, rows.Scan(&model, &eligible, &rank))
		assert.Zero(t, eligible, model)
		assert.Zero(t, rank, model)
		found = append(found, model)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, claudes, found)

	// The reader training and export-feedback use: the routed candidates
	// as logged, each left-out model with its short reason; the old row
	// with its long ones.
	got, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, got, 3)
	byID := map[string][]router.Candidate{}
	for _, r := range got {
		byID[r.RequestID] = r.Candidates
	}
	want := plain.Decision.Candidates
	for _, m := range claudes {
		want = append(want, router.Candidate{Model: m, Reason: router.LeftOutLogReason})
	}
	assert.Equal(t, want, byID["short"])
	wantOld := old.Decision.Candidates
	assert.Equal(t, wantOld, byID["old"], "a row in the long form reads as it was written")

	// The cost report reads all three as the one routed decision they are.
	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{})
	require.NoError(t, err)
	assert.Equal(t, int64(3), rep.Total.Answered)
	assert.InDelta(t, 3*0.0004, rep.Total.RoutedExpectedUSD, 1e-12)
	assert.InDelta(t, 3*0.004, rep.Total.StrongestUSD, 1e-12)
}
