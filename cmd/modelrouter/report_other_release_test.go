package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// execSQL runs statements on the database at path as another release of
// modelrouter would have left it.
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	for _, q := range stmts {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
}

// The README says `report` only reads and still opens a database that a
// newer release wrote (a migration it does not know adds what it does not
// read): the cost report of an upgraded server's log still prints.
func TestCLIReportReadsADatabaseANewerReleaseWrote(t *testing.T) {
	path := writeLog(t, 2)
	execSQL(t, path,
		`INSERT INTO migrations(name, applied) VALUES ('0099_future.sql', '2030-01-01T00:00:00Z')`,
		`CREATE TABLE future_things (id INTEGER PRIMARY KEY)`)

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "prod")
}

// A decision log an older release wrote has every column the report reads
// (the last migration only added usage_estimated). The report reads it
// without upgrading it: the file may sit on a read-only mount or be an
// archive, where "run serve once to upgrade it" is no option.
func TestCLIReportReadsADatabaseAnOlderReleaseWrote(t *testing.T) {
	path := writeLog(t, 2)
	execSQL(t, path,
		`ALTER TABLE decisions DROP COLUMN usage_estimated`,
		`DELETE FROM migrations WHERE name = '0006_usage_estimated.sql'`)

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "prod")
}

// format1Day is what a release of the kept days' format 1 kept for a day
// of two calls to one deployment that both chose "mid" (.002, quality .8)
// over "big" (.01, .9): one "mid" answered (billed $.0015), one every
// model failed. That rule counted the failed call's expected cost and
// savings too, and kept no answered count (the sums 7469d16^ keeps).
const format1Day = `{"Requests":2,"Errors":1,"Failovers":1,"Routed":2,"Prompt":0,"Completion":0,"Reasoning":0,"Cached":0,
	"Sums":{"Cost":[0.0015],"RoutedExpected":[0.004],"RoutedQ":[1.6],"Strongest":[0.02],"StrongestQ":[1.8],
	"ByModel":{"big":{"N":2,"Cost":[0.02],"Quality":[1.8],"RoutedCost":[0.004],"RoutedQ":[1.6]},
	"mid":{"N":2,"Cost":[0.004],"Quality":[1.6],"RoutedCost":[0.004],"RoutedQ":[1.6]}}}}`

// A database whose gateway ran a release that kept a day under the old
// rule (report_days_done.filled = 1) and then stopped: `report` reads that
// day from its rows, so it prints the savings of the answered calls
// alone, not the old totals, and, opening the file read-only, leaves them.
func TestCLIReportReadsADayKeptUnderTheOldRuleFromItsRows(t *testing.T) {
	s, path := newLogStore(t)
	s.Now = func() time.Time { return time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC) }
	cands := []router.Candidate{
		{Model: "big", Eligible: true, Quality: .9, ExpectedCost: .01},
		{Model: "mid", Eligible: true, Quality: .8, ExpectedCost: .002},
	}
	call := func(id string, at time.Time, status int, answered string, cost float64, attempts ...router.Attempt) router.Record {
		r := router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "mid", Candidates: cands},
			Answered: answered, Attempts: attempts, Status: status, CostUSD: cost}
		if status >= 500 {
			r.ErrorCode = router.EUpstream
		}
		return r
	}
	day1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []router.Record{
		call("answered-1", day1.Add(10*time.Hour), 200, "mid", .0015, router.Attempt{Model: "mid", Status: 200}),
		call("failed", day1.Add(11*time.Hour), 502, "", 0, router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "big", Status: 500}),
		call("answered-2", day1.Add(34*time.Hour), 200, "mid", .0015, router.Attempt{Model: "mid", Status: 200}),
	} {
		s.Log().Record(r)
	}
	require.NoError(t, s.Log().Flush(context.Background()))
	ctx := context.Background()
	queries := map[string]store.ReportQuery{"": {}, "--by day": {ByDay: true}}
	want := map[string]*store.Report{}
	for by, q := range queries {
		// From the rows (none kept yet), with the built-in deployment as the CLI asks.
		q.Builtin = []string{"model-router"}
		rep, err := store.NewReports(s.DB()).Report(ctx, q)
		require.NoError(t, err)
		want[by] = rep
	}
	require.Equal(t, int64(2), want[""].Total.Answered)
	_, err := s.Reports().Report(ctx, store.ReportQuery{}) // the gateway keeps both days
	require.NoError(t, err)
	require.NoError(t, s.Close())
	execSQL(t, path,
		fmt.Sprintf(`UPDATE report_days SET sums = '%s' WHERE day_ms = %d`, format1Day, day1.UnixMilli()),
		fmt.Sprintf(`UPDATE report_days_done SET filled = 1 WHERE day_ms = %d`, day1.UnixMilli()))

	for by := range queries {
		out, _, err := runCmd(t, append([]string{"report", "--db", path, "--format", "json"}, strings.Fields(by)...)...)
		require.NoError(t, err)
		var got store.Report
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Equal(t, want[by], &got, "report %q", by)
		assert.InDelta(t, .004, got.Total.RoutedExpectedUSD, 1e-12, "report %q: the two answered calls at mid's .002", by)
		assert.InDelta(t, .016, got.Total.SavingsStrongest, 1e-12, "report %q", by)
	}
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	var filled int
	require.NoError(t, db.QueryRow(`SELECT filled FROM report_days_done WHERE day_ms = ?`, day1.UnixMilli()).Scan(&filled))
	assert.Equal(t, 1, filled, "report opens the file read-only: the old day stays for the gateway to keep anew")
}
