package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

const eps = 1e-9

func day(d, hour int) time.Time { return time.Date(2026, 1, d, hour, 0, 0, 0, time.UTC) }

func cand(model string, q, cost float64) router.Candidate {
	return router.Candidate{Model: model, Profile: model, Eligible: true, Quality: q, ExpectedCost: cost}
}

func excludedCand(model string) router.Candidate {
	return router.Candidate{Model: model, Profile: model, Reason: "excluded: context window"}
}

type fixture struct {
	id, deployment, chosen, answered string
	at                               time.Time
	candidates                       []router.Candidate
	attempts                         []router.Attempt
	status                           int
	code                             string
	usage                            router.Usage
	cost                             float64
}

// reportFixture is a small log whose sums are worked out by hand in the
// tests below. dep-a routes over big, mid and small; dep-b over mid only.
var reportFixture = []fixture{
	{id: "r0", deployment: "dep-a", chosen: "mid", answered: "mid", at: time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC),
		candidates: []router.Candidate{cand("big", .9, .010), cand("mid", .88, .004)}, status: 200,
		usage: router.Usage{PromptTokens: 999, CompletionTokens: 999}, cost: 1},
	{id: "r1", deployment: "dep-a", chosen: "mid", answered: "mid", at: day(1, 9),
		candidates: []router.Candidate{cand("big", .9, .010), cand("mid", .88, .004), cand("small", .6, .001)},
		attempts:   []router.Attempt{{Model: "mid", Status: 200}}, status: 200,
		usage: router.Usage{PromptTokens: 100, CompletionTokens: 50, CachedTokens: 20}, cost: .0035},
	{id: "r2", deployment: "dep-a", chosen: "mid", answered: "big", at: day(1, 10),
		candidates: []router.Candidate{cand("big", .9, .010), cand("mid", .88, .004), cand("small", .6, .001)},
		attempts:   []router.Attempt{{Model: "mid", Status: 503}, {Model: "big", Status: 200}}, status: 200,
		usage: router.Usage{PromptTokens: 100, CompletionTokens: 400, ReasoningTokens: 300}, cost: .012},
	{id: "r3", deployment: "dep-a", chosen: "small", answered: "small", at: day(2, 8),
		candidates: []router.Candidate{excludedCand("big"), cand("mid", .72, .004), cand("small", .68, .001)},
		attempts:   []router.Attempt{{Model: "small", Status: 200}}, status: 200,
		usage: router.Usage{PromptTokens: 200, CompletionTokens: 100}, cost: .0008},
	{id: "r4", deployment: "dep-a", chosen: "big", answered: "", at: day(2, 9),
		candidates: []router.Candidate{cand("big", .95, .020), cand("mid", .5, .004), excludedCand("small")},
		attempts:   []router.Attempt{{Model: "big", Status: 502}}, status: 502, code: router.EUpstream},
	{id: "r5", deployment: "dep-b", chosen: "mid", answered: "mid", at: day(2, 12),
		candidates: []router.Candidate{cand("mid", .8, .003)},
		attempts:   []router.Attempt{{Model: "mid", Status: 200}}, status: 200,
		usage: router.Usage{PromptTokens: 10, CompletionTokens: 20}, cost: .003},
	{id: "r6", deployment: "dep-a", chosen: "", answered: "", at: day(2, 13),
		candidates: []router.Candidate{excludedCand("big"), excludedCand("mid"), excludedCand("small")},
		status:     400, code: router.ENoEligible},
}

// openFixture writes the fixture through the store's own decision log and
// returns the store's reports.
func openFixture(t *testing.T) (*store.Reports, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	for _, f := range reportFixture {
		s.Log().Record(router.Record{
			RequestID: f.id, Time: f.at, API: "chat.completions", PromptHash: "h-" + f.id, RouterModel: "rm1",
			Decision: router.Decision{Deployment: f.deployment, RouterVersion: "v1", Mode: router.ModeBalanced,
				ChosenID: f.chosen, Candidates: f.candidates, Propensity: 1},
			Answered: f.answered, Attempts: f.attempts, Status: f.status, ErrorCode: f.code,
			Usage: f.usage, CostUSD: f.cost, DecideLatency: 2 * time.Millisecond,
		})
	}
	require.NoError(t, s.Close())
	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return store.NewReports(db), path
}

var january = store.Range{Since: day(1, 0), Until: day(3, 0)}

func findRow(t *testing.T, rows []store.ReportRow, dayKey, deployment, model string) store.ReportRow {
	t.Helper()
	for _, r := range rows {
		if r.Day == dayKey && r.Deployment == deployment && r.Model == model {
			return r
		}
	}
	require.Failf(t, "row not found", "%s %s %s in %+v", dayKey, deployment, model, rows)
	return store.ReportRow{}
}

func TestReportSumsPerDeploymentAndModel(t *testing.T) {
	rp, _ := openFixture(t)
	rep, err := rp.Report(context.Background(), store.ReportQuery{Range: january})
	require.NoError(t, err)

	// r0 lies before the range.
	assert.Equal(t, int64(6), rep.Total.Requests)
	assert.Equal(t, int64(2), rep.Total.Errors)
	assert.Equal(t, int64(1), rep.Total.Failovers)
	assert.InDelta(t, .0035+.012+.0008+.003, rep.Total.CostUSD, eps)
	assert.Equal(t, int64(410), rep.Total.PromptTokens)
	assert.Equal(t, int64(570), rep.Total.CompletionTokens)
	assert.Equal(t, int64(300), rep.Total.ReasoningTokens)
	assert.Equal(t, int64(20), rep.Total.CachedTokens)
	assert.Len(t, rep.Rows, 5)

	// r2 failed over from mid to big, r4 chose big and got no answer: both
	// requests count against big, r2's failover against mid, which failed.
	big := findRow(t, rep.Rows, "", "dep-a", "big")
	assert.Equal(t, int64(2), big.Requests)
	assert.Equal(t, int64(1), big.Errors)
	assert.Equal(t, int64(0), big.Failovers)
	assert.InDelta(t, .012, big.CostUSD, eps)
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", "dep-a", "mid").Failovers)

	none := findRow(t, rep.Rows, "", "dep-a", "none")
	assert.Equal(t, int64(1), none.Requests, "a request no model could serve is kept under none")
	assert.Equal(t, int64(0), none.Routed)

	mid := findRow(t, rep.Rows, "", "dep-b", "mid")
	assert.Equal(t, int64(1), mid.Requests)
	assert.InDelta(t, .003, mid.CostUSD, eps)
	assert.Equal(t, "dep-a", rep.Rows[0].Deployment, "rows sort by deployment")
	assert.Equal(t, "big", rep.Rows[0].Model, "then by cost, highest first")
}

func TestReportCounterfactuals(t *testing.T) {
	rp, _ := openFixture(t)
	rep, err := rp.Report(context.Background(), store.ReportQuery{Range: january})
	require.NoError(t, err)

	// dep-a's routed requests are r1..r4, but r4 got no answer: the money
	// is r1..r3's. big is eligible in r1 and r2 (2 of 3, enough to be a
	// single-model alternative) with mean quality .9; mid's mean is .827
	// and small's .627.
	assert.Equal(t, map[string]string{"dep-a": "big", "dep-b": "mid"}, rep.BestSingle)
	require.Len(t, rep.Deployments, 2)
	a := rep.Deployments[0]
	require.Equal(t, "dep-a", a.Deployment)
	assert.Equal(t, int64(5), a.Requests)
	assert.Equal(t, int64(4), a.Routed)
	assert.Equal(t, int64(3), a.Answered)
	// routed: mid .004 + big .010 (r2 failed over from mid; big answered) + small .001
	assert.InDelta(t, .015, a.RoutedExpectedUSD, eps)
	// strongest: big .010 + big .010 + mid .004 (big excluded in r3)
	assert.InDelta(t, .024, a.StrongestUSD, eps)
	assert.InDelta(t, .009, a.SavingsStrongest, eps)
	// best single (big): .010 + .010 + r3 keeps its routed .001
	assert.InDelta(t, .021, a.BestSingleUSD, eps)
	assert.InDelta(t, .006, a.SavingsBestSingle, eps)
	assert.InDelta(t, (.88+.9+.68)/3, a.RoutedQuality, eps)
	assert.InDelta(t, (.9+.9+.72)/3, a.StrongestQuality, eps)
	assert.InDelta(t, (.9+.9+.68)/3, a.BestSingleQuality, eps)

	b := rep.Deployments[1]
	assert.InDelta(t, 0, b.SavingsStrongest, eps, "one model: nothing to save")
	assert.InDelta(t, 0, b.SavingsBestSingle, eps)

	assert.InDelta(t, .018, rep.Total.RoutedExpectedUSD, eps)
	assert.InDelta(t, .027, rep.Total.StrongestUSD, eps)
	assert.InDelta(t, .024, rep.Total.BestSingleUSD, eps, "the total adds each deployment's own best single model")
	assert.InDelta(t, .006, rep.Total.SavingsBestSingle, eps)
	assert.NotEmpty(t, rep.Method)

	// Per model rows carry their requests' share of the counterfactuals.
	small := findRow(t, rep.Rows, "", "dep-a", "small")
	assert.InDelta(t, .001, small.RoutedExpectedUSD, eps)
	assert.InDelta(t, .004, small.StrongestUSD, eps)
	assert.InDelta(t, .001, small.BestSingleUSD, eps, "big could not serve r3")
}

func TestReportByDayAndFilters(t *testing.T) {
	rp, _ := openFixture(t)
	ctx := context.Background()

	rep, err := rp.Report(ctx, store.ReportQuery{Range: january, ByDay: true})
	require.NoError(t, err)
	assert.Len(t, rep.Rows, 6)
	assert.Equal(t, "2026-01-01", rep.Rows[0].Day)
	d1big := findRow(t, rep.Rows, "2026-01-01", "dep-a", "big")
	assert.Equal(t, int64(1), d1big.Requests)
	assert.InDelta(t, 0, d1big.SavingsStrongest, eps, "r2's answer came from big, the strongest")
	d1mid := findRow(t, rep.Rows, "2026-01-01", "dep-a", "mid")
	assert.InDelta(t, .006, d1mid.SavingsStrongest, eps)
	d2big := findRow(t, rep.Rows, "2026-01-02", "dep-a", "big")
	assert.Equal(t, int64(1), d2big.Errors)
	assert.InDelta(t, 0, d2big.SavingsStrongest, eps)

	rep, err = rp.Report(ctx, store.ReportQuery{Range: store.Range{Deployment: "dep-b"}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Total.Requests)
	assert.Equal(t, "dep-b", rep.Deployment)

	rep, err = rp.Report(ctx, store.ReportQuery{})
	require.NoError(t, err)
	assert.Equal(t, int64(len(reportFixture)), rep.Total.Requests, "an open range reads the whole log")

	rep, err = rp.Report(ctx, store.ReportQuery{Range: store.Range{Since: day(2, 13), Until: day(2, 14)}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Total.Requests, "only r6, which no model could serve")
	assert.Empty(t, rep.BestSingle, "no routed request, no best single model")
	assert.InDelta(t, 0, rep.Total.SavingsStrongest, eps)

	rep, err = rp.Report(ctx, store.ReportQuery{Range: store.Range{Deployment: "nope"}})
	require.NoError(t, err)
	assert.Empty(t, rep.Rows)
	assert.NotNil(t, rep.Rows, "JSON shows [] rather than null")

	_, err = rp.Report(ctx, store.ReportQuery{Range: store.Range{Since: day(3, 0), Until: day(1, 0)}})
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
}

func TestReportProgressCountsEveryRow(t *testing.T) {
	rp, _ := openFixture(t)
	ctx := context.Background()
	n, err := rp.Count(ctx, january)
	require.NoError(t, err)
	assert.Equal(t, int64(6), n)
	var seen int64
	_, err = rp.Report(ctx, store.ReportQuery{Range: january, Progress: func(rows int64) { seen += rows }})
	require.NoError(t, err)
	assert.Equal(t, n, seen)
}

func TestTimeline(t *testing.T) {
	rp, _ := openFixture(t)
	ctx := context.Background()
	points, err := rp.Timeline(ctx, store.TimelineQuery{Range: january, Bucket: 24 * time.Hour})
	require.NoError(t, err)
	type key struct {
		day   int
		model string
	}
	got := map[key]store.TimelinePoint{}
	for _, p := range points {
		got[key{p.Start.Day(), p.Model}] = p
	}
	assert.Len(t, got, 5, "r6, refused with no eligible model, was sent to none")
	assert.Equal(t, int64(1), got[key{1, "mid"}].Requests)
	assert.InDelta(t, .012, got[key{1, "big"}].CostUSD, eps)
	assert.Equal(t, int64(500), got[key{1, "big"}].Tokens)
	assert.Equal(t, int64(1), got[key{2, "big"}].Errors)
	assert.Equal(t, int64(1), got[key{2, "mid"}].Requests, "dep-b's request on day 2")
	assert.NotContains(t, got, key{2, "none"}, "a call refused before routing is no model's traffic")
	assert.InDelta(t, 2, got[key{2, "small"}].DecideMS, 1e-6)
	assert.Equal(t, day(1, 0), points[0].Start)

	tests := []struct {
		name string
		q    store.TimelineQuery
	}{
		{"bucket under a minute", store.TimelineQuery{Range: january, Bucket: time.Second}},
		{"too many buckets", store.TimelineQuery{Range: store.Range{Since: day(1, 0), Until: day(30, 0)}, Bucket: time.Minute}},
		{"until before since", store.TimelineQuery{Range: store.Range{Since: day(2, 0), Until: day(1, 0)}, Bucket: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rp.Timeline(ctx, tt.q)
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
		})
	}
}

func TestTimelinePointsStartWithinTheRange(t *testing.T) {
	rp, _ := openFixture(t)
	ctx := context.Background()
	// A bucket wider than the range (and than the time since 1970), and
	// a range that starts inside a day's bucket: each first point starts
	// at since, the later ones at their day.
	for _, tt := range []struct {
		name   string
		q      store.TimelineQuery
		starts []time.Time
	}{
		{"bucket wider than the range", store.TimelineQuery{Range: january, Bucket: 100 * 365 * 24 * time.Hour}, []time.Time{day(1, 0)}},
		{"range starting mid-bucket", store.TimelineQuery{Range: store.Range{Since: day(1, 6), Until: day(3, 0)}, Bucket: 24 * time.Hour},
			[]time.Time{day(1, 6), day(2, 0)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			points, err := rp.Timeline(ctx, tt.q)
			require.NoError(t, err)
			require.NotEmpty(t, points)
			var starts []time.Time
			for _, p := range points {
				if len(starts) == 0 || !starts[len(starts)-1].Equal(p.Start) {
					starts = append(starts, p.Start)
				}
			}
			assert.Equal(t, tt.starts, starts)
		})
	}
}

func TestOpenReadOnly(t *testing.T) {
	_, path := openFixture(t)
	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`DELETE FROM decisions`)
	assert.Error(t, err, "a report connection cannot write")

	_, err = store.OpenReadOnly(filepath.Join(t.TempDir(), "missing.db"))
	assert.ErrorContains(t, err, "no such file")

	other := filepath.Join(t.TempDir(), "other.db")
	raw, err := sql.Open("sqlite3", other)
	require.NoError(t, err)
	_, err = raw.Exec(`CREATE TABLE t (x)`)
	require.NoError(t, err)
	raw.Close()
	_, err = store.OpenReadOnly(other)
	assert.ErrorContains(t, err, "no decisions table")
}

// benchLog writes n decisions with four candidates each, one a minute.
func benchLog(b *testing.B, n int) *store.Reports {
	b.Helper()
	path := filepath.Join(b.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(b, err)
	cands := []router.Candidate{
		{Model: "big", Eligible: true, Quality: .9, ExpectedCost: .01, Reason: "lost: within the band but expected cost $0.010000 above $0.002000"},
		{Model: "mid", Eligible: true, Quality: .89, ExpectedCost: .002, Reason: "chosen: cheapest with predicted quality >= 0.882 (balanced band 2% below best 0.900)"},
		{Model: "small", Eligible: true, Quality: .7, ExpectedCost: .0005, Reason: "lost: predicted quality 0.700 below the band threshold 0.882"},
		{Model: "claude", Reason: "excluded: no image input support"},
	}
	for i := range n {
		s.Log().Record(router.Record{RequestID: fmt.Sprint(i), Time: day(1, 0).Add(time.Duration(i) * time.Minute),
			API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: "mid", Candidates: cands},
			Answered: "mid", Status: 200, Usage: router.Usage{PromptTokens: 500, CompletionTokens: 300}, CostUSD: .002})
	}
	require.NoError(b, s.Close())
	db, err := store.OpenReadOnly(path)
	require.NoError(b, err)
	b.Cleanup(func() { db.Close() })
	return store.NewReports(db)
}

const benchRows = 20_000

func BenchmarkReport(b *testing.B) {
	rp := benchLog(b, benchRows)
	b.ResetTimer()
	for b.Loop() {
		rep, err := rp.Report(context.Background(), store.ReportQuery{ByDay: true})
		require.NoError(b, err)
		require.Equal(b, int64(benchRows), rep.Total.Requests)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkTimeline(b *testing.B) {
	rp := benchLog(b, benchRows)
	b.ResetTimer()
	for b.Loop() {
		_, err := rp.Timeline(context.Background(), store.TimelineQuery{Range: store.Range{Since: day(1, 0), Until: day(16, 0)}, Bucket: time.Hour})
		require.NoError(b, err)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
