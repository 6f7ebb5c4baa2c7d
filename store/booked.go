package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// BookUsage books what a background Responses answer's job billed, once
// its provider says it is over: the call that made it was logged when the
// provider took the job, at the gateway's estimate (usage_estimated = 1),
// and its real usage comes only with a later read of the answer by id.
// The decision row that made answer responseID gets usage, at costUSD,
// and is no longer estimated; was is that row as it stood (its request
// id, time, key, deployment, mode, answering model, estimated usage and
// cost), for the budgets and metrics that counted the estimate. booked is
// false, and nothing changes, when no row of that answer is estimated:
// its usage was booked already (by an earlier or a concurrent read: the
// update takes only a row still estimated, so one read books it), the
// call's own stream reported it, or the log has no row of it (pruned,
// made before this version, or held in memory while the database cannot
// write). A row still queued in the writer is written first.
func (l *Log) BookUsage(ctx context.Context, responseID string, usage router.Usage, costUSD float64) (was router.Record, booked bool, err error) {
	was, estimated, found, err := l.answerRow(ctx, responseID)
	if err == nil && !found {
		// The call may have ended moments ago, its row still on its way
		// to the database.
		if ferr := l.Flush(ctx); ferr != nil && ctx.Err() != nil {
			return was, false, ferr
		}
		was, estimated, found, err = l.answerRow(ctx, responseID)
	}
	if err != nil || !found || !estimated {
		return was, false, err
	}
	res, err := l.db.ExecContext(ctx, `UPDATE decisions SET prompt_tokens = ?, completion_tokens = ?,
		reasoning_tokens = ?, cached_tokens = ?, cost_usd = ?, usage_estimated = 0
		WHERE request_id = ? AND usage_estimated = 1`,
		usage.PromptTokens, usage.CompletionTokens, usage.ReasoningTokens, usage.CachedTokens, costUSD, was.RequestID)
	if err != nil {
		return was, false, fmt.Errorf("book the usage of response %q: %w", responseID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return was, false, fmt.Errorf("book the usage of response %q: %w", responseID, err)
	}
	return was, n == 1, nil
}

// answerRow reads the decision row that made Responses answer id, the one
// AnsweredBy names, and whether its usage is estimated.
func (l *Log) answerRow(ctx context.Context, id string) (r router.Record, estimated, found bool, err error) {
	var tsMS int64
	var cost sql.NullFloat64
	var mode string
	err = l.db.QueryRowContext(ctx, `
		SELECT request_id, ts_ms, key_id, deployment, mode, answered, prompt_tokens, completion_tokens,
			reasoning_tokens, cached_tokens, cost_usd, usage_estimated
		FROM decisions WHERE response_id = ? AND response_id != '' AND answered != ''
		ORDER BY ts_ms DESC LIMIT 1`, id).Scan(&r.RequestID, &tsMS, &r.KeyID, &r.Decision.Deployment, &mode,
		&r.Answered, &r.Usage.PromptTokens, &r.Usage.CompletionTokens, &r.Usage.ReasoningTokens,
		&r.Usage.CachedTokens, &cost, &estimated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, false, nil
	}
	if err != nil {
		return r, false, false, fmt.Errorf("look up response %q: %w", id, err)
	}
	r.Time, r.Decision.Mode, r.CostUSD, r.UsageEstimated = time.UnixMilli(tsMS).UTC(), router.Mode(mode), cost.Float64, estimated
	return r, estimated, true, nil
}

// NoteJobEnd keeps how a background Responses answer's job ended on the
// decision row that made answer responseID (the row BookUsage books):
// status is the response object's, completed, incomplete, failed or
// cancelled, as a read or cancel through the gateway first found it over.
// The first such read sets it and later ones change nothing (a job that
// is over stays as it ended). A job that failed or was cancelled has no
// answer to rate (RateAnswer refuses it) and its tokens are no answer's
// length (export-feedback leaves it out). Nothing changes when the log
// has no row of the answer (pruned, or held in memory while the database
// cannot write); a row still queued in the writer is written first.
func (l *Log) NoteJobEnd(ctx context.Context, responseID, status string) error {
	switch status {
	case "completed", "incomplete", "failed", "cancelled":
	default:
		return fmt.Errorf("note the end of response %q: %q is not a status an answer ends with", responseID, status)
	}
	note := func() (found bool, err error) {
		var requestID, was string
		err = l.db.QueryRowContext(ctx, `SELECT request_id, ended_status FROM decisions
			WHERE response_id = ? AND response_id != '' AND answered != ''
			ORDER BY ts_ms DESC LIMIT 1`, responseID).Scan(&requestID, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil || was != "" {
			return err == nil, err
		}
		_, err = l.db.ExecContext(ctx, `UPDATE decisions SET ended_status = ? WHERE request_id = ? AND ended_status = ''`,
			status, requestID)
		return true, err
	}
	found, err := note()
	if err == nil && !found {
		// The call may have ended moments ago, its row still on its way
		// to the database.
		if ferr := l.Flush(ctx); ferr != nil && ctx.Err() != nil {
			return ferr
		}
		_, err = note()
	}
	if err != nil {
		return fmt.Errorf("note the end of response %q: %w", responseID, err)
	}
	return nil
}

// cutShort is the SQL condition (on a decisions row, its columns prefixed
// by table) for a background job that ended without an answer: it failed
// at its provider or was cancelled. Its output, if any, is what the job
// had written when it stopped.
func cutShort(table string) string {
	return table + "ended_status IN ('failed', 'cancelled')"
}
