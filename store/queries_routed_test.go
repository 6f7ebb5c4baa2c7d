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
// keys with that name), so "Requests and spend per client key" must not
// fold two keys into one line. Against a gateway log with two keys named
// "alice", 3 calls each, the README query printed one line "alice 6".
func TestReviewSpendPerKeyKeepsKeysWithTheSameNameApart(t *testing.T) {
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
	assert.Len(t, rows, 2, "two different keys, one line each; got %v", rows)
}

// "Every candidate of the latest request": on a gateway whose latest logged
// call was refused before routing (a 401 for a bad key, a 404 for a
// mistyped deployment) the query returns nothing at all, although the log
// holds routed requests.
func TestReviewCandidatesOfLatestRequestFindsTheLatestRoutedRequest(t *testing.T) {
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

// The README query "Average feedback score per answering model" groups by
// d.answered; feedback on calls that no model answered lands in a line with
// an empty model name. That line exists because RateAnswer accepts ratings
// of calls with no answer (see TestReviewFeedbackOnACallWithNoAnswerIsRefused).
func TestReviewFeedbackPerModelHasNoLineWithoutAModel(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	logged(t, s, sampleRecord("answered", base), unroutedRecord("unknown-deployment", base.Add(time.Second), 404, router.ENotFound))
	require.NoError(t, s.AddFeedback(ctx, "answered", 1, "", ""))
	_ = s.AddFeedback(ctx, "unknown-deployment", 1, "", "") // refused once fixed

	for _, r := range queryRows(t, s, exampleQueryNamed(t, "feedback-per-model")) {
		assert.NotEqual(t, "", r["model"], "a feedback line for no model: %v", r)
	}
}
