package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// daysLog logs calls over the 14 days from day(1, 0): two deployments
// routing over three models with qualities and costs that do not add up
// exactly in float64, failovers, errors, refused calls under made-up
// names, and a Responses answer of day 3 whose usage is still estimated.
func daysLog(t *testing.T) *store.Store {
	t.Helper()
	s := MustOpen(t)
	s.Now = func() time.Time { return day(15, 0) } // the 14 days are over
	_, err := s.PutDeployment(context.Background(), "dep-a", json.RawMessage(`{}`))
	require.NoError(t, err)
	var rows []router.Record
	for i := range 14 * 24 {
		at := day(1, 0).Add(time.Duration(i)*time.Hour + time.Duration(i%7)*time.Minute)
		r := sampleRecord(fmt.Sprintf("d%04d", i), at)
		r.Decision.Deployment = []string{"dep-a", "dep-b", "dep-a"}[i%3]
		r.Decision.Candidates = []router.Candidate{
			cand("big", 0.9+float64(i%5)*0.013, 0.01+float64(i%11)*0.0007),
			cand("mid", 0.8+float64(i%3)*0.031, 0.003+float64(i%13)*0.00011),
			cand("small", 0.6+float64(i%7)*0.017, 0.0007+float64(i%17)*0.00003),
		}
		r.Decision.ChosenID = []string{"mid", "small", "big", "mid"}[i%4]
		r.Answered = r.Decision.ChosenID
		r.CostUSD = 0.0001 * float64(i%23+1) / 3
		r.Attempts = []router.Attempt{{Model: r.Answered, Status: 200}}
		switch i % 9 {
		case 1:
			r.Attempts = []router.Attempt{{Model: "big", Status: 503}, {Model: r.Answered, Status: 200}}
		case 2:
			r.Status, r.ErrorCode, r.Answered, r.CostUSD = 502, "upstream_error", "", 0
			r.Attempts = []router.Attempt{{Model: r.Decision.ChosenID, Status: 500}}
		case 5:
			// a call to a name that is no deployment, refused before deciding
			r.Decision = router.Decision{Deployment: fmt.Sprintf("made-up-%d", i%4)}
			r.Answered, r.Attempts, r.Status, r.ErrorCode, r.CostUSD = "", nil, 404, "deployment_not_found", 0
		}
		rows = append(rows, r)
	}
	est := sampleRecord("estimated", day(3, 12).Add(30*time.Minute))
	est.ResponseID, est.UsageEstimated = "resp_est", true
	rows = append(rows, est)
	logged(t, s, rows...)
	return s
}

// daysQueries are reports over daysLog that read whole days, and parts.
func daysQueries() []store.ReportQuery {
	return []store.ReportQuery{
		{},
		{ByDay: true},
		{Range: store.Range{Since: day(2, 7), Until: day(12, 13)}},
		{Range: store.Range{Since: day(2, 0), Until: day(9, 0)}, ByDay: true},
		{Range: store.Range{Deployment: "DEP-B"}},
		{Range: store.Range{Deployment: store.UnknownDeployment}, ByDay: true},
		{Builtin: []string{"made-up-1"}},
	}
}

// fromRows is q's report from the decisions alone: the kept days are
// forgotten first, and NewReports keeps none.
func fromRows(t *testing.T, s *store.Store, q store.ReportQuery) *store.Report {
	t.Helper()
	_, err := s.DB().Exec(`DELETE FROM report_days_done`)
	require.NoError(t, err)
	rep, err := store.NewReports(s.DB()).Report(context.Background(), q)
	require.NoError(t, err)
	return rep
}

func report(t *testing.T, rp *store.Reports, q store.ReportQuery) *store.Report {
	t.Helper()
	rep, err := rp.Report(context.Background(), q)
	require.NoError(t, err)
	return rep
}

// keptDays are the days whose totals the log keeps.
func keptDays(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT date(day_ms / 1000, 'unixepoch') FROM report_days_done WHERE filled = ? ORDER BY day_ms`, store.KeptFormat)
	require.NoError(t, err)
	defer rows.Close()
	var days []string
	for rows.Next() {
		var d string
		require.NoError(t, rows.Scan(&d))
		days = append(days, d)
	}
	require.NoError(t, rows.Err())
	return days
}

func TestReportFromKeptDaysIsTheReportFromTheRows(t *testing.T) {
	s := daysLog(t)
	for i, q := range daysQueries() {
		want := fromRows(t, s, q)
		require.Positive(t, want.Total.Requests)
		report(t, s.Reports(), store.ReportQuery{}) // keeps every whole day
		require.Len(t, keptDays(t, s.DB()), 14)
		assert.Equal(t, want, report(t, s.Reports(), q), "query %d", i)
	}
	// The CLI's progress bar counts the rows of kept days too: it ends
	// at the range's Count.
	for _, q := range []store.ReportQuery{{}, {Range: store.Range{Since: day(2, 7), Deployment: "dep-b"}}} {
		var read int64
		q.Progress = func(rows int64) { read += rows }
		report(t, s.Reports(), q)
		n, err := s.Reports().Count(context.Background(), q.Range)
		require.NoError(t, err)
		assert.Equal(t, n, read)
	}
	// A report of one deployment reads kept days but keeps none itself.
	fromRows(t, s, store.ReportQuery{})
	report(t, s.Reports(), store.ReportQuery{Range: store.Range{Deployment: "dep-a"}})
	assert.Empty(t, keptDays(t, s.DB()))
}

// Each change to a row of a kept day: the next report has it, exactly as
// a report from the rows has it, and the other days stay kept.
func TestReportOfKeptDaysAfterOldRowsChange(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *store.Store)
		days   int // kept days left
	}{
		{"usage booked later", func(t *testing.T, s *store.Store) {
			_, booked, err := s.Log().BookUsage(ctx, "resp_est", router.Usage{PromptTokens: 7000, CompletionTokens: 900}, 0.25)
			require.NoError(t, err)
			require.True(t, booked)
		}, 13},
		{"a late insert", func(t *testing.T, s *store.Store) {
			logged(t, s, sampleRecord("late", day(5, 3)))
		}, 13},
		{"pruned", func(t *testing.T, s *store.Store) {
			n, err := s.PruneDecisions(ctx, day(3, 0))
			require.NoError(t, err)
			require.Positive(t, n)
		}, 12},
		{"deleted by hand", func(t *testing.T, s *store.Store) {
			_, err := s.DB().Exec(`DELETE FROM decisions WHERE request_id = 'd0100'`)
			require.NoError(t, err)
		}, 13},
		{"moved to another day by hand", func(t *testing.T, s *store.Store) {
			_, err := s.DB().Exec(`UPDATE decisions SET ts_ms = ts_ms + 5 * 86400000 WHERE request_id = 'd0030'`)
			require.NoError(t, err)
		}, 12},
		{"deployment deleted", func(t *testing.T, s *store.Store) {
			// dep-b was never stored: with no call decided in the range
			// it reports as (unknown).
			_, err := s.DB().Exec(`UPDATE decisions SET router_version = '', chosen = '', answered = '' WHERE deployment = 'dep-b' AND ts_ms < ?`, day(4, 0).UnixMilli())
			require.NoError(t, err)
		}, 11},
		{"feedback", func(t *testing.T, s *store.Store) {
			require.NoError(t, s.AddFeedback(ctx, "d0051", 0.2, "bad", ""))
		}, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := daysLog(t)
			q := []store.ReportQuery{{}, {ByDay: true}, {Range: store.Range{Until: day(4, 0)}}}
			before := make([]*store.Report, len(q))
			for i := range q {
				before[i] = report(t, s.Reports(), q[i])
			}
			require.Len(t, keptDays(t, s.DB()), 14)
			tc.change(t, s)
			assert.Len(t, keptDays(t, s.DB()), tc.days, "the changed days are forgotten, no other")
			after := make([]*store.Report, len(q))
			for i := range q {
				after[i] = report(t, s.Reports(), q[i])
			}
			if tc.name != "feedback" {
				assert.NotEqual(t, before[1], after[1], "the change shows in the report by day")
			}
			for i := range q {
				assert.Equal(t, fromRows(t, s, q[i]), after[i], "query %d", i)
			}
		})
	}
}

// The CLI's report opens the log read-only: it reads the days a gateway
// kept, and keeps none itself.
func TestReadOnlyReportReadsKeptDaysAndWritesNone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	s.Now = func() time.Time { return day(3, 10) }
	logged(t, s, sampleRecord("a", day(1, 9)), sampleRecord("b", day(2, 9)), sampleRecord("c", day(3, 9)))
	q := store.ReportQuery{Range: store.Range{Until: day(3, 0)}}
	want := report(t, s.Reports(), q)
	require.Equal(t, []string{"2026-01-01", "2026-01-02"}, keptDays(t, s.DB()))
	// A kept day's totals, changed where no trigger sees it: a report
	// that reads them shows the change.
	_, err = s.DB().Exec(`UPDATE report_days SET sums = json_set(sums, '$.Requests', 40) WHERE day_ms = ?`, day(2, 0).UnixMilli())
	require.NoError(t, err)
	_, err = s.DB().Exec(`DELETE FROM report_days_done WHERE day_ms = ?`, day(1, 0).UnixMilli())
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	defer db.Close()
	got := report(t, store.NewReports(db), q)
	assert.Equal(t, want.Total.CostUSD, got.Total.CostUSD)
	assert.Equal(t, int64(41), got.Total.Requests, "day 2 from its kept totals, day 1 from its row")
	assert.Equal(t, []string{"2026-01-02"}, keptDays(t, db), "day 1 is not kept by a read-only report")
}

// A log from before 0010 gets the kept days on its next open, and a
// read-only report of it before then reads the rows.
func TestReportOfALogFromBeforeKeptDays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	logged(t, s, sampleRecord("a", day(1, 9)), sampleRecord("b", day(2, 9)), sampleRecord("c", day(3, 9)))
	want := report(t, store.NewReports(s.DB()), store.ReportQuery{})
	_, err = s.DB().Exec(`DROP TRIGGER report_days_insert; DROP TRIGGER report_days_update; DROP TRIGGER report_days_delete;
		DROP TABLE report_days; DROP TABLE report_days_done;
		DELETE FROM migrations WHERE name = '0010_report_days.sql'`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	assert.Equal(t, want, report(t, store.NewReports(db), store.ReportQuery{}))
	require.NoError(t, db.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	s.Now = func() time.Time { return day(4, 0) }
	assert.Equal(t, want, report(t, s.Reports(), store.ReportQuery{}))
	assert.Len(t, keptDays(t, s.DB()), 3)
	logged(t, s, sampleRecord("late", day(2, 10)))
	assert.Len(t, keptDays(t, s.DB()), 2, "the triggers are in place")
	assert.Equal(t, int64(4), report(t, s.Reports(), store.ReportQuery{}).Total.Requests)
}

// A prune deletes the kept totals of the days it deletes rows of: no
// report reads a pruned day again to replace them, so report_days would
// otherwise grow with every day the log ever had.
func TestPrunedDaysTakeTheirKeptTotalsWithThem(t *testing.T) {
	s := daysLog(t)
	report(t, s.Reports(), store.ReportQuery{})
	groups := func(since, until time.Time) int {
		var n int
		require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM report_days WHERE day_ms >= ? AND day_ms < ?`,
			since.UnixMilli(), until.UnixMilli()).Scan(&n))
		return n
	}
	require.Positive(t, groups(day(1, 0), day(3, 0)))
	later := groups(day(3, 0), day(15, 0))
	n, err := s.PruneDecisions(context.Background(), day(3, 0))
	require.NoError(t, err)
	require.Positive(t, n)
	assert.Zero(t, groups(day(1, 0), day(3, 0)), "the pruned days' totals are gone")
	assert.Equal(t, later, groups(day(3, 0), day(15, 0)), "the other days' totals stay")
	assert.Equal(t, fromRows(t, s, store.ReportQuery{ByDay: true}), report(t, s.Reports(), store.ReportQuery{ByDay: true}))
}

// oldRuleDay5 is what a release of keptFormat 1 kept for day 5 of
// oldRuleLog: one group (deployment d, model mid) whose expected costs,
// savings and qualities count both routed calls, the one no model
// answered included, at the chosen model's expected cost. That release's
// keptGroup had no Answered. It is, byte for byte, the sums 7469d16^ (the
// last release of format 1) keeps for that day.
const oldRuleDay5 = `{"Requests":2,"Errors":1,"Failovers":1,"Routed":2,"Prompt":0,"Completion":0,"Reasoning":0,"Cached":0,
	"Sums":{"Cost":[0.0015],"RoutedExpected":[0.004],"RoutedQ":[1.6],"Strongest":[0.02],"StrongestQ":[1.8],
	"ByModel":{"big":{"N":2,"Cost":[0.02],"Quality":[1.8],"RoutedCost":[0.004],"RoutedQ":[1.6]},
	"mid":{"N":2,"Cost":[0.004],"Quality":[1.6],"RoutedCost":[0.004],"RoutedQ":[1.6]}}}}`

// oldRuleLog logs, on day 5, a call "mid" answered and one every model
// failed (mid chosen), and on day 6 a call "mid" answered: the two rules
// differ on day 5 alone.
func oldRuleLog(t *testing.T, s *store.Store) {
	t.Helper()
	answeredAt := func(id string, at time.Time) router.Record {
		r := unanswered(id, at, 200, "", router.Attempt{Model: "mid", Status: 200})
		r.Decision.ChosenID, r.Answered, r.CostUSD = "mid", "mid", .0015
		return r
	}
	failed := unanswered("failed", day(5, 11), 502, router.EUpstream,
		router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "big", Status: 500})
	failed.Decision.ChosenID = "mid"
	logged(t, s, answeredAt("answered-5", day(5, 10)), failed, answeredAt("answered-6", day(6, 10)))
}

// keptGroups are a day's kept groups as report_days holds them.
func keptGroups(t *testing.T, db *sql.DB, d time.Time) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT deployment, model, decided, sums FROM report_days WHERE day_ms = ?`, d.UnixMilli())
	require.NoError(t, err)
	defer rows.Close()
	groups := map[string]string{}
	for rows.Next() {
		var deployment, model, sums string
		var decided bool
		require.NoError(t, rows.Scan(&deployment, &model, &decided, &sums))
		groups[fmt.Sprintf("%s/%s decided=%v", deployment, model, decided)] = sums
	}
	require.NoError(t, rows.Err())
	return groups
}

// A day an older release kept (report_days_done.filled = 1) holds totals
// of the old rule, which counted a call no model answered in the expected
// costs and savings. This release reads such a day from its rows, never
// from those totals: `modelrouter report` (read-only) leaves it as it is,
// and a gateway's report keeps it anew in its own format, the totals a
// report from the rows keeps.
func TestADayKeptUnderTheOldRuleIsReadFromItsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	s.Now = func() time.Time { return day(7, 0) } // days 5 and 6 are over
	oldRuleLog(t, s)
	queries := []store.ReportQuery{{}, {ByDay: true}, {Range: store.Range{Deployment: "d"}}}
	want := make([]*store.Report, len(queries))
	for i, q := range queries {
		want[i] = fromRows(t, s, q)
	}
	require.Equal(t, int64(2), want[0].Total.Answered)
	report(t, s.Reports(), store.ReportQuery{}) // keeps days 5 and 6 in this release's format
	require.Equal(t, []string{"2026-01-05", "2026-01-06"}, keptDays(t, s.DB()))
	kept := keptGroups(t, s.DB(), day(5, 0))
	require.Equal(t, []string{"d/mid decided=true"}, slices.Collect(maps.Keys(kept)), "day 5's one group")
	day6 := keptGroups(t, s.DB(), day(6, 0))

	// Day 5 as a release of format 1 left it.
	_, err = s.DB().Exec(`UPDATE report_days SET sums = ? WHERE day_ms = ?`, oldRuleDay5, day(5, 0).UnixMilli())
	require.NoError(t, err)
	// Read as this release's, those totals would give the old numbers.
	_, err = s.DB().Exec(`UPDATE report_days_done SET filled = ? WHERE day_ms = ?`, store.KeptFormat, day(5, 0).UnixMilli())
	require.NoError(t, err)
	stale := report(t, store.NewReports(s.DB()), store.ReportQuery{}).Total
	require.Equal(t, int64(1), stale.Answered, "day 6's call only: the old totals have no answered count")
	require.NotEqual(t, want[0].Total.RoutedExpectedUSD, stale.RoutedExpectedUSD, "the old rule's expected cost")
	_, err = s.DB().Exec(`UPDATE report_days_done SET filled = 1 WHERE day_ms = ?`, day(5, 0).UnixMilli())
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := store.OpenReadOnly(path)
	require.NoError(t, err)
	for i, q := range queries {
		assert.Equal(t, want[i], report(t, store.NewReports(db), q), "read-only, query %d", i)
	}
	assert.Equal(t, []string{"2026-01-06"}, keptDays(t, db), "a read-only report keeps nothing")
	require.NoError(t, db.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	s.Now = func() time.Time { return day(7, 0) }
	for i, q := range queries {
		assert.Equal(t, want[i], report(t, s.Reports(), q), "the gateway's, query %d", i)
	}
	assert.Equal(t, []string{"2026-01-05", "2026-01-06"}, keptDays(t, s.DB()), "day 5 kept again, in this release's format")
	assert.Equal(t, kept, keptGroups(t, s.DB(), day(5, 0)), "day 5's totals are those a report from its rows keeps")
	assert.Equal(t, day6, keptGroups(t, s.DB(), day(6, 0)), "day 6 untouched")
	for i, q := range queries {
		assert.Equal(t, want[i], report(t, s.Reports(), q), "from the kept days, query %d", i)
	}
}
