package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A background job that failed at its provider, or was cancelled, has no
// answer to rate, as a call every upstream failed has none: a rating of it,
// by its x-request-id or by its answer's id, is refused on request_id with
// a message that says why. A job that completed, or stopped at the
// client's own max_output_tokens (incomplete), is an answer and is rated.
func TestABackgroundJobThatFailedOrWasCancelledCannotBeRated(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		status string
		rated  bool
	}{{"failed", false}, {"cancelled", false}, {"completed", true}, {"incomplete", true}} {
		t.Run(tc.status, func(t *testing.T) {
			s := MustOpen(t)
			r := sampleRecord("req-bg", sampleTime)
			r.API, r.ResponseID, r.UsageEstimated = "responses", "resp_bg", true
			logged(t, s, r)
			require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_bg", tc.status))

			for _, id := range []string{"req-bg", "resp_bg"} {
				err := s.RateAnswer(ctx, "", id, 1, "", "")
				if tc.rated {
					assert.NoError(t, err, id)
					continue
				}
				var re *router.Error
				require.ErrorAs(t, err, &re, id)
				assert.Equal(t, router.EInvalid, re.Code, id)
				assert.Equal(t, "request_id", re.Param, id)
				assert.Equal(t, `request "req-bg" has no answer to rate: its answer at mini ended `+tc.status+
					` before it was done, as its provider said when it was read or cancelled by id`, re.Message, id)
			}
			rows, err := s.Decisions(ctx, store.DecisionFilter{})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tc.status, rows[0].EndedStatus)
			assert.Equal(t, tc.rated, rows[0].Feedback != nil, "rated")
		})
	}
}

// A plain Responses call (no background job: its usage came with its
// answer) whose answer a read by id found failed has no answer to rate
// either, and the refusal says so without calling it a background job.
func TestAPlainResponsesCallReadBackFailedCannotBeRated(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	r := sampleRecord("req-plain", sampleTime)
	r.API, r.ResponseID = "responses", "resp_plain"
	logged(t, s, r)
	require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_plain", "failed"))

	for _, id := range []string{"req-plain", "resp_plain"} {
		err := s.RateAnswer(ctx, "", id, 1, "", "")
		var re *router.Error
		require.ErrorAs(t, err, &re, id)
		assert.Equal(t, router.EInvalid, re.Code, id)
		assert.Equal(t, `request "req-plain" has no answer to rate: its answer at mini ended failed before it was done, `+
			`as its provider said when it was read or cancelled by id`, re.Message, id)
		assert.NotContains(t, re.Message, "background", id)
	}
}

// A job is over once: a later read that finds another status (a cancel
// answered after the job completed) does not change how it ended. A job
// no read found over, and every other call, has no end status.
func TestAJobsEndIsKeptOnce(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	bg, other := sampleRecord("req-bg", sampleTime), sampleRecord("req-other", sampleTime.Add(1))
	bg.API, bg.ResponseID = "responses", "resp_bg"
	logged(t, s, bg, other)
	require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_bg", "completed"))
	require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_bg", "cancelled"))
	require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_unknown", "failed"), "no row of it: nothing to note")
	require.Error(t, s.Log().NoteJobEnd(ctx, "resp_bg", "in_progress"), "not an end")

	rows, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "completed", rows[0].EndedStatus)
	assert.Empty(t, rows[1].EndedStatus)
	require.NoError(t, s.RateAnswer(ctx, "", "req-bg", 1, "", ""))
}

// A call that asked for several answers (Chat Completions' n) is logged
// with their number, next to the tokens its provider billed for them all;
// a row logged before the log kept it (migration 0011) reads as one
// answer with no job end and no answer it continued, as it read before.
func TestTheLogKeepsHowManyAnswersACallAskedFor(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	three, one := sampleRecord("req-n3", sampleTime), sampleRecord("req-n1", sampleTime.Add(1))
	three.Answers = 3
	logged(t, s, three, one)
	rows, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, 3, rows[0].Answers)
	assert.Equal(t, 1, rows[1].Answers, "n left out is one answer")
}

func TestARowLoggedBeforeMigration0011ReadsAsOneAnswerWithNoJobEndNorContinuedAnswer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	r := sampleRecord("req-old", sampleTime)
	r.API, r.ResponseID = "responses", "resp_old"
	logged(t, s, r)
	// The file as the release before 0011 left it: its columns dropped.
	for _, q := range []string{`DELETE FROM migrations WHERE name = '0011_answers_and_job_end.sql'`,
		`ALTER TABLE decisions DROP COLUMN answers`, `ALTER TABLE decisions DROP COLUMN ended_status`,
		`ALTER TABLE decisions DROP COLUMN previous_response_id`} {
		_, err := s.DB().Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	rows, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, 1, rows[0].Answers)
	assert.Empty(t, rows[0].EndedStatus)
	assert.Empty(t, rows[0].PreviousResponseID)
	assert.Equal(t, r.Usage, rows[0].Usage)
	a, err := s.AnsweredBy(ctx, "resp_old")
	require.NoError(t, err)
	assert.Equal(t, store.Answer{Model: r.Answered}, a, "read by id as before: it continued nothing the log knows")
	require.NoError(t, s.RateAnswer(ctx, "", "resp_old", 1, "", ""), "rated as before")
}

// The example query of each model's average rating leaves out a job that
// was rated before a read found it failed or cancelled, as the export
// does: it had no answer to rate.
func TestFeedbackPerModelLeavesOutARatedJobFoundFailedLater(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	done, failed := sampleRecord("req-done", sampleTime), sampleRecord("req-failed", sampleTime.Add(1))
	done.API, done.ResponseID = "responses", "resp_done"
	failed.API, failed.ResponseID = "responses", "resp_failed"
	logged(t, s, done, failed)
	require.NoError(t, s.RateAnswer(ctx, "", "req-done", 1, "", ""))
	require.NoError(t, s.RateAnswer(ctx, "", "req-failed", 0, "", ""))
	require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_failed", "failed"))

	rows := runExample(t, s, "feedback-per-model")
	require.Len(t, rows, 1)
	assert.Equal(t, done.Answered, rows[0]["model"])
	assert.Equal(t, float64(1), num(t, rows[0]["rated"]))
	assert.Equal(t, float64(1), num(t, rows[0]["avg_score"]))
}
