package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// queryPlan is SQLite's plan for q, one step a line, as `EXPLAIN QUERY
// PLAN` prints it: "SCAN t" reads every row of t, "SEARCH t USING
// COVERING INDEX i" only the index.
func queryPlan(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	require.NoError(t, err)
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		steps = append(steps, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(steps, "\n")
}

// A capped key's first call after a gateway starts waits for its spend to
// be added up, over every row of the key for a total budget: read from
// the table, that took seconds for a key with a few hundred thousand rows.
func TestAKeysSpendIsAddedUpFromAnIndexAlone(t *testing.T) {
	s := MustOpen(t)
	plan := queryPlan(t, s.DB(), store.KeySpendSQL, "key_a", 0, time.Now().UnixMilli())
	assert.Contains(t, plan, "SEARCH decisions USING COVERING INDEX decisions_key_spend (key_id=? AND ts_ms>? AND ts_ms<?)", plan)
	assert.NotContains(t, plan, "SCAN decisions", plan)
}

func TestUpgradingALogKeepsEachKeysSpendAndIndexesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	var rows []router.Record
	for i := range 30 {
		r := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Hour))
		r.KeyID, r.CostUSD = []string{"key_a", "key_b", ""}[i%3], float64(i+1)/100
		rows = append(rows, r)
	}
	logged(t, s, rows...)
	ctx := context.Background()
	spend := func(s *store.Store) []float64 {
		var out []float64
		for _, k := range []string{"key_a", "key_b"} {
			for _, since := range []time.Time{{}, sampleTime.Add(10 * time.Hour)} {
				usd, err := s.KeySpend(ctx, k, since, time.Time{})
				require.NoError(t, err)
				out = append(out, usd)
			}
		}
		return out
	}
	want := spend(s)
	require.InDelta(t, 0.01+0.04+0.07+0.10+0.13+0.16+0.19+0.22+0.25+0.28, want[0], 1e-9)
	// The log as the previous release left it: its index, no 0009.
	_, err = s.DB().Exec(`DROP INDEX decisions_key_spend;
		CREATE INDEX decisions_key ON decisions (key_id, ts_ms) WHERE key_id != '';
		DELETE FROM migrations WHERE name = '0009_key_spend_index.sql'`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	assert.InDeltaSlice(t, want, spend(s), 1e-9)
	var indexes []string
	r, err := s.DB().Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'decisions_key%' ORDER BY name`)
	require.NoError(t, err)
	defer r.Close()
	for r.Next() {
		var n string
		require.NoError(t, r.Scan(&n))
		indexes = append(indexes, n)
	}
	require.NoError(t, r.Err())
	assert.Equal(t, []string{"decisions_key_spend"}, indexes, "the old index is replaced, not kept beside the new one")
}

// export-feedback reads the rated answers: a few thousand in a log of
// millions. Walking the log in time order to find them read every row.
// Grouped by prompt, as export-feedback reads them, they still are.
func TestRatedAnswersAreFoundFromTheFeedbackTable(t *testing.T) {
	s := MustOpen(t)
	for _, byPrompt := range []bool{false, true} {
		q, args := store.DecisionQuery(store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: byPrompt})
		plan := queryPlan(t, s.DB(), q, args...)
		assert.Contains(t, plan, "SCAN f", plan)
		assert.NotContains(t, plan, "SCAN d", plan)
		assert.Contains(t, plan, "SEARCH d USING INDEX sqlite_autoindex_decisions_1 (request_id=?)", plan)
	}
}

// Grouped by prompt, the rated rows were sorted by SQLite, whole, in
// temporary files about twice their size on disk (2 GB for 200,000 rated
// answers). What orders them is read unsorted; the rows then by rowid.
func TestRowsGroupedByPromptAreNotSortedBySQLite(t *testing.T) {
	s := MustOpen(t)
	q, args := store.DecisionQuery(store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true})
	plan := queryPlan(t, s.DB(), q, args...)
	assert.NotContains(t, plan, "TEMP B-TREE", plan)
	// The rows come in the list's order, each found by its rowid.
	plan = queryPlan(t, s.DB(), store.ByRowidQuery, "[3, 1, 2]")
	assert.NotContains(t, plan, "TEMP B-TREE", plan)
	assert.Contains(t, plan, "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)", plan)
}

func TestRatedAnswersComeOldestFirstWithTheirFeedback(t *testing.T) {
	s := MustOpen(t)
	// Request ids sort the other way round from their times, as random
	// ids do half the time: the feedback table is in id order.
	var rows []router.Record
	for i := range 5 {
		rows = append(rows, sampleRecord(requestID(9-i), sampleTime.Add(time.Duration(i)*time.Minute)))
	}
	logged(t, s, rows...)
	ctx := context.Background()
	for i, id := range []string{"req-00009", "req-00007", "req-00006", "req-00005"} {
		require.NoError(t, s.AddFeedback(ctx, id, float64(i)/4, "l"+id, ""))
	}
	got, err := s.Decisions(ctx, store.DecisionFilter{Answered: true, WithFeedback: true})
	require.NoError(t, err)
	var ids, labels []string
	for _, r := range got {
		ids = append(ids, r.RequestID)
		require.NotNil(t, r.Feedback, r.RequestID)
		labels = append(labels, r.Feedback.Label)
	}
	assert.Equal(t, []string{"req-00009", "req-00007", "req-00006", "req-00005"}, ids, "oldest first, the unrated one left out")
	assert.Equal(t, []string{"lreq-00009", "lreq-00007", "lreq-00006", "lreq-00005"}, labels)
}
