package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// logUnder writes one answered request per deployment name given and
// returns the log's reports.
func logUnder(t *testing.T, deployments ...string) *store.Reports {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	for i, d := range deployments {
		id := string(rune('a' + i))
		s.Log().Record(router.Record{
			RequestID: id, Time: day(1, 9+i), API: "chat.completions", PromptHash: "h-" + id, RouterModel: "rm1",
			Decision: router.Decision{Deployment: d, RouterVersion: "v1", Mode: router.ModeBalanced, ChosenID: "mid",
				Candidates: []router.Candidate{cand("mid", .8, .003)}, Propensity: 1},
			Answered: "mid", Status: 200, DecideLatency: time.Millisecond,
		})
	}
	require.NoError(t, s.Close())
	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return store.NewReports(db)
}

// The report's deployment filter names a deployment as a call does, in any
// case: `--deployment MR` reports mr.
func TestReportNamesADeploymentInAnyCase(t *testing.T) {
	rp := logUnder(t, "mr", "mr", "other")
	ctx := context.Background()
	rep, err := rp.Report(ctx, store.ReportQuery{Range: store.Range{Deployment: "MR"}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), rep.Total.Requests)
	require.Len(t, rep.Deployments, 1)
	assert.Equal(t, "mr", rep.Deployments[0].Deployment)

	n, err := rp.Count(ctx, store.Range{Deployment: "Mr"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	points, err := rp.Timeline(ctx, store.TimelineQuery{Range: store.Range{Since: day(1, 0), Until: day(2, 0), Deployment: "mR"}, Bucket: time.Hour})
	require.NoError(t, err)
	var requests int64
	for _, p := range points {
		requests += p.Requests
	}
	assert.Equal(t, int64(2), requests)
}

// A log written before names compared without case may name two
// deployments that differ only in case: named exactly, each reports alone.
func TestReportKeepsTwoOldSpellingsApartWhenNamedExactly(t *testing.T) {
	rp := logUnder(t, "mr", "Mr", "Mr")
	ctx := context.Background()
	n, err := rp.Count(ctx, store.Range{Deployment: "mr"})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	n, err = rp.Count(ctx, store.Range{Deployment: "Mr"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
}

// A log written before names compared without case holds the refused
// calls of clients that named a deployment in another case, under their
// spelling. Those 404s are no deployment of that name: `--deployment MR`
// still reports mr's calls, with them, rather than the refusals alone.
func TestReportNamesADeploymentInACaseOnlyRefusedCallsUsed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	s.Log().Record(router.Record{RequestID: "refused", Time: day(1, 8), API: "chat.completions",
		Decision: router.Decision{Deployment: "MR"}, Status: 404, ErrorCode: router.ENotFound})
	for i, id := range []string{"a", "b"} {
		s.Log().Record(router.Record{
			RequestID: id, Time: day(1, 9+i), API: "chat.completions", PromptHash: "h-" + id, RouterModel: "rm1",
			Decision: router.Decision{Deployment: "mr", RouterVersion: "v1", Mode: router.ModeBalanced, ChosenID: "mid",
				Candidates: []router.Candidate{cand("mid", .8, .003)}, Propensity: 1},
			Answered: "mid", Status: 200, DecideLatency: time.Millisecond,
		})
	}
	require.NoError(t, s.Close())
	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	rp := store.NewReports(db)

	rep, err := rp.Report(context.Background(), store.ReportQuery{Range: store.Range{Deployment: "MR"}})
	require.NoError(t, err)
	var names []string
	for _, d := range rep.Deployments {
		names = append(names, d.Deployment)
	}
	assert.Contains(t, names, "mr", "the deployment's own calls")
	assert.Equal(t, int64(3), rep.Total.Requests)
	assert.Equal(t, int64(1), rep.Total.Errors)

	// Named as it was created, it reports its own calls.
	rep, err = rp.Report(context.Background(), store.ReportQuery{Range: store.Range{Deployment: "mr"}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), rep.Total.Requests)
}
