package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Feedback is a rating of one answer.
type Feedback struct {
	RequestID string
	// Score is in [0, 1], the scale of the training labels (1 = good).
	Score   float64
	Label   string
	Comment string
	Time    time.Time
}

// Limits on feedback text, so a client cannot grow the database without bound.
const (
	maxLabelLen   = 200
	maxCommentLen = 10_000
)

// AddFeedback records feedback on a logged request, replacing earlier
// feedback on it. A request answered moments ago may still be queued in the
// decision log, so an unknown id first waits for the log to flush.
//
// Returns EInvalid for an empty id, a score outside [0, 1], text over the
// limits or a request with no answer (no model answered it, its provider
// refused it, or it is a Responses answer that ended failed or cancelled,
// a background job's or a plain call's read back by id: NoteJobEnd),
// ENotFound when no decision has that request id, and EUnavailable when
// the database cannot write for now (see cannotWrite).
func (s *Store) AddFeedback(ctx context.Context, requestID string, score float64, label, comment string) error {
	return s.RateAnswer(ctx, "", requestID, score, label, comment)
}

// RateAnswer is AddFeedback by a client key: with keyID set, only a request
// made with that key (or with none) can be rated; another key's is not
// found. requestID may also be a Responses answer's id (resp_...), the id
// its client holds: it rates the call that made the answer, when exactly
// one logged call did.
func (s *Store) RateAnswer(ctx context.Context, keyID, requestID string, score float64, label, comment string) error {
	return s.rate(ctx, keyID, requestID, score, label, comment, true)
}

// rate is RateAnswer; byResponse lets an id that no request has be looked
// up as a Responses answer's, once.
func (s *Store) rate(ctx context.Context, keyID, requestID string, score float64, label, comment string, byResponse bool) error {
	switch {
	case requestID == "":
		return &router.Error{Code: router.EInvalid, Param: "request_id", Message: "request_id is required"}
	case math.IsNaN(score) || score < 0 || score > 1:
		return &router.Error{Code: router.EInvalid, Param: "score", Message: fmt.Sprintf("score must be between 0 and 1, got %v", score)}
	case len(label) > maxLabelLen:
		return &router.Error{Code: router.EInvalid, Param: "label", Message: fmt.Sprintf("label is longer than %d bytes", maxLabelLen)}
	case len(comment) > maxCommentLen:
		return &router.Error{Code: router.EInvalid, Param: "comment", Message: fmt.Sprintf("comment is longer than %d bytes", maxCommentLen)}
	}
	known, err := s.decisionExists(ctx, requestID)
	if err != nil {
		return err
	}
	if !known {
		// The row may still be queued in the decision log: wait for it.
		// Flush also reports rows lost since the previous Flush; those are
		// other requests' (the writer logs them), so only ctx ending
		// fails the feedback. A lost row of this request is not found.
		if err := s.log.Flush(ctx); err != nil && ctx.Err() != nil {
			return fmt.Errorf("add feedback: %w", err)
		}
	}
	now := s.now()
	// INSERT ... SELECT writes nothing when the decision is missing or no
	// model answered it, which in the common case tells us all is well
	// without a second round trip. A rating is a label of an answer: a
	// /v1/route decision, a refused call (a bad key's 401 has no key_id,
	// so any key would see it; a provider's 4xx passed to the client names
	// the refusing model in answered), one every upstream failed, and a
	// Responses answer that ended failed or cancelled (cutShort) have none.
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO feedback (request_id, score, label, comment, ts, ts_ms)
		SELECT request_id, ?, ?, ?, ?, ? FROM decisions
		WHERE request_id = ? AND (? = '' OR key_id = '' OR key_id = ?) AND `+hasAnswer("")+` AND NOT `+cutShort("")+`
		ON CONFLICT (request_id) DO UPDATE SET
			score = excluded.score, label = excluded.label, comment = excluded.comment,
			ts = excluded.ts, ts_ms = excluded.ts_ms`,
		score, label, comment, formatTS(now), now.UnixMilli(), requestID, keyID, keyID)
	if cannotWrite(err) {
		// A full disk or a lock another process keeps passes, as the
		// decision log's held rows wait for it to: the client may send the
		// rating again, and the operator sees why it could not be kept.
		s.log.logger.Warn("feedback: the database cannot write; the rating is refused for the client to retry",
			"error", err)
		return router.Errorf(router.EUnavailable,
			"the rating cannot be stored now (the gateway's database is full, read-only or locked); retry it later")
	}
	if err != nil {
		return fmt.Errorf("add feedback: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	// Nothing written: say whether the request is unknown (to this key) or
	// known but has no answer to rate.
	var answered, ended string
	var status int
	err = s.db.QueryRowContext(ctx, `SELECT answered, status, ended_status FROM decisions WHERE request_id = ? AND (? = '' OR key_id = '' OR key_id = ?)`,
		requestID, keyID, keyID).Scan(&answered, &status, &ended)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if byResponse {
			made, err := s.callThatMade(ctx, keyID, requestID)
			if err != nil {
				return err
			}
			if made != "" {
				return s.rate(ctx, keyID, made, score, label, comment, false)
			}
		}
		return router.Errorf(router.ENotFound, "no decision with request id %q", requestID)
	case err != nil:
		return fmt.Errorf("add feedback: look up decision: %w", err)
	case answered != "" && (ended == "failed" || ended == "cancelled"):
		// As a call every upstream failed: the answer never came, whatever
		// had been written when it stopped. The log does not say whether
		// the call was a background job or a plain call read back by id
		// (both note how they ended), so the message names neither.
		return &router.Error{Code: router.EInvalid, Param: "request_id",
			Message: fmt.Sprintf("request %q has no answer to rate: its answer at %s ended %s before it was done, as its provider said when it was read or cancelled by id", requestID, answered, ended)}
	case answered != "":
		// The log names the model whose refusal the client got (see
		// hasAnswer), so the message names it too rather than deny it.
		return &router.Error{Code: router.EInvalid, Param: "request_id",
			Message: fmt.Sprintf("request %q has no answer to rate: %s refused it (HTTP %d, passed to the client as its own error)", requestID, answered, status)}
	}
	return &router.Error{Code: router.EInvalid, Param: "request_id",
		Message: fmt.Sprintf("request %q has no answer to rate: no model answered it (a /v1/route decision, or a call that was refused or failed)", requestID)}
}

// callThatMade is the request id of the one logged call, visible to keyID,
// that made Responses answer id, or "" when none did or several did (a
// server that repeats its ids): then the id names no one answer to rate.
func (s *Store) callThatMade(ctx context.Context, keyID, id string) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT request_id FROM decisions
		WHERE response_id = ? AND response_id <> '' AND (? = '' OR key_id = '' OR key_id = ?) LIMIT 2`, id, keyID, keyID)
	if err != nil {
		return "", fmt.Errorf("add feedback: look up response: %w", err)
	}
	defer rows.Close()
	var made []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return "", fmt.Errorf("add feedback: look up response: %w", err)
		}
		made = append(made, r)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("add feedback: look up response: %w", err)
	}
	if len(made) != 1 {
		return "", nil
	}
	return made[0], nil
}

// GetFeedback returns the feedback on a request. Returns ENotFound when
// there is none.
func (s *Store) GetFeedback(ctx context.Context, requestID string) (Feedback, error) {
	f := Feedback{RequestID: requestID}
	var ts string
	err := s.db.QueryRowContext(ctx, `SELECT score, label, comment, ts FROM feedback WHERE request_id = ?`, requestID).
		Scan(&f.Score, &f.Label, &f.Comment, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return f, router.Errorf(router.ENotFound, "no feedback for request id %q", requestID)
	}
	if err != nil {
		return f, fmt.Errorf("get feedback: %w", err)
	}
	f.Time, err = parseTS(ts)
	return f, err
}

func (s *Store) decisionExists(ctx context.Context, requestID string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM decisions WHERE request_id = ?`, requestID).Scan(&n); err != nil {
		return false, fmt.Errorf("look up decision: %w", err)
	}
	return n > 0, nil
}
