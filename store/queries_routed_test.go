package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// exampleQueryNamed returns the README / queries_example.sql query by name.
func exampleQueryNamed(t *testing.T, name string) string {
	t.Helper()
	for _, q := range readExampleQueries(t) {
		if q.name == name {
			return q.sql
		}
	}
	t.Fatalf("no example query %q", name)
	return ""
}

// unroutedRecord is the row the gateway writes for a call that never got
// to a decision: a 401 for a bad key, or a 404 for an unknown deployment
// (what `sqlite3` shows for such rows against a live gateway's log).
func unroutedRecord(id string, at time.Time, status int, code string) router.Record {
	return router.Record{RequestID: id, Time: at, API: "chat.completions", Status: status, ErrorCode: code}
}

// Key names are not unique (`keys create --name batch-jobs` twice makes two
// keys with that name), so "Requests and spend per client key" groups by
// key id and shows each key's name with its id: one line per key.
func TestSpendPerKeyKeepsKeysWithTheSameNameApart(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, k1, err := s.CreateKey(ctx, "batch-jobs")
	require.NoError(t, err)
	_, k2, err := s.CreateKey(ctx, "batch-jobs")
	require.NoError(t, err)
	now := time.Now().UTC().Add(-time.Minute)
	r1 := sampleRecord("k1-call", now)
	r1.KeyID, r1.CostUSD = k1.ID, 0.001
	r2 := sampleRecord("k2-call", now.Add(time.Second))
	r2.KeyID, r2.CostUSD = k2.ID, 0.002
	logged(t, s, r1, r2)

	rows := queryRows(t, s, exampleQueryNamed(t, "spend-per-key"))
	require.Len(t, rows, 2, "two different keys, one line each; got %v", rows)
	assert.ElementsMatch(t, []any{"batch-jobs (" + k1.ID + ")", "batch-jobs (" + k2.ID + ")"},
		[]any{rows[0]["client_key"], rows[1]["client_key"]})
}

// "Every candidate of the latest routed request" skips calls refused
// before routing (a 401 for a bad key, a 404 for a mistyped deployment):
// they are logged with no candidates, and the newest of them must not hide
// the latest request that was routed.
func TestCandidatesOfLatestRequestFindsTheLatestRoutedRequest(t *testing.T) {
	s := MustOpen(t)
	base := time.Now().UTC().Add(-time.Hour)
	logged(t, s,
		sampleRecord("routed", base),
		unroutedRecord("bad-key", base.Add(time.Second), 401, router.EUnauthorized),
	)
	rows := queryRows(t, s, exampleQueryNamed(t, "candidates-of-latest-request"))
	require.NotEmpty(t, rows, "the latest request with candidates is 'routed'; the query shows none")
	assert.Equal(t, "mini", rows[0]["model"])
}

// "Average feedback score per answering model" has no line with an empty
// model name: RateAnswer refuses ratings of calls no model answered (see
// TestFeedbackOnACallWithNoAnswerIsRefused), and the query leaves out such
// ratings that an older release wrote.
func TestFeedbackPerModelHasNoLineWithoutAModel(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	logged(t, s, sampleRecord("answered", base), unroutedRecord("unknown-deployment", base.Add(time.Second), 404, router.ENotFound))
	require.NoError(t, s.AddFeedback(ctx, "answered", 1, "", ""))
	require.Error(t, s.AddFeedback(ctx, "unknown-deployment", 1, "", ""))
	// The rating an older release accepted, written as it stored it.
	_, err := s.DB().Exec(`INSERT INTO feedback (request_id, score, label, comment, ts, ts_ms) VALUES ('unknown-deployment', 1, '', '', '2026-01-01T00:00:00.000000000Z', 0)`)
	require.NoError(t, err)

	rows := queryRows(t, s, exampleQueryNamed(t, "feedback-per-model"))
	require.Len(t, rows, 1, "%v", rows)

	assert.Equal(t, "mini", rows[0]["model"])
}

// "Average feedback score per answering model" averages ratings of answers.
// A provider's own 4xx passed to the client names the refusing model in
// answered but is no answer (RateAnswer refuses to rate it, and training
// leaves it out); a rating an older release accepted for it must not count
// as a rating of that model's answers.
func TestFeedbackPerModelLeavesOutRatingsOfAProvidersRefusal(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	refused := sampleRecord("refused", base.Add(time.Second))
	refused.Status, refused.ErrorCode, refused.Usage, refused.CostUSD, refused.FirstByte = 400, router.EInvalid, router.Usage{}, 0, 0
	logged(t, s, sampleRecord("answered", base), refused)
	require.NoError(t, s.AddFeedback(ctx, "answered", 1, "", ""))
	require.Error(t, s.AddFeedback(ctx, "refused", 0, "", ""))
	// The rating an older release accepted, written as it stored it.
	_, err := s.DB().Exec(`INSERT INTO feedback (request_id, score, label, comment, ts, ts_ms) VALUES ('refused', 0, 'bad', '', '2026-01-01T00:00:00.000000000Z', 0)`)
	require.NoError(t, err)

	rows := queryRows(t, s, exampleQueryNamed(t, "feedback-per-model"))
	require.Len(t, rows, 1, "%v", rows)
	assert.Equal(t, "mini", rows[0]["model"])
	assert.Equal(t, int64(1), rows[0]["rated"], "the refusal's rating counted as a rating of mini's answers")
	assert.InDelta(t, 1.0, num(t, rows[0]["avg_score"]), 1e-9)
}
