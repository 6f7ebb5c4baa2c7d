package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Response is one kept Responses API answer: what its call added to the
// conversation and the answer, both as input items, so the conversation
// can be sent again to any model.
type Response struct {
	ID string
	// PreviousID is the kept response this call continued ("" when none).
	PreviousID string
	Model      string
	Input      json.RawMessage
	Output     json.RawMessage
	// Body is the answer as its client got it, a Responses API response
	// object (empty for answers kept before it was stored).
	Body json.RawMessage
	// KeyID is the client key the answer belongs to ("" when none).
	KeyID string
	Time  time.Time
}

// maxChain bounds how many responses one conversation may chain: a longer
// one is refused rather than read without limit.
const maxChain = 10_000

// PutResponse keeps r. Input and Output must be JSON arrays. An id kept
// already is refused: replacing it would rewrite another conversation (or
// make this one its own ancestor). Keeping a turn marks its whole
// conversation used, so expiry (PruneResponses) counts from the last turn.
// EUnavailable when the database cannot write for now (cannotWrite):
// nothing is kept, and the same r may be put again later.
func (s *Store) PutResponse(ctx context.Context, r Response) error {
	if r.ID == "" || !isJSONArray(r.Input) || !isJSONArray(r.Output) {
		return fmt.Errorf("put response: need an id and input and output as JSON arrays")
	}
	err := s.putResponse(ctx, r)
	if cannotWrite(err) {
		// Not this row's fault: the caller may try it again once the
		// lock is released or the disk has room (the gateway does).
		return &router.Error{Code: router.EUnavailable, Message: fmt.Sprintf(
			"put response: the database cannot write for now (full, read-only or locked): %v", err)}
	}
	return err
}

func (s *Store) putResponse(ctx context.Context, r Response) error {
	t := r.Time
	if t.IsZero() {
		t = s.now()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put response: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO responses (id, previous_id, model, input, output, response, key_id, ts, ts_ms, used_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.PreviousID, r.Model, string(r.Input), string(r.Output), string(r.Body), r.KeyID, formatTS(t), t.UnixMilli(), t.UnixMilli()); err != nil {
		return fmt.Errorf("put response: %w", err)
	}
	if r.PreviousID != "" {
		if _, err := tx.ExecContext(ctx, `
			WITH RECURSIVE chain (id, depth) AS (
				SELECT ?, 0
				UNION ALL
				SELECT r.previous_id, chain.depth + 1 FROM responses r JOIN chain ON r.id = chain.id
				WHERE r.previous_id != '' AND chain.depth < ?
			)
			UPDATE responses SET used_ms = max(used_ms, ?) WHERE id IN (SELECT id FROM chain)`,
			r.PreviousID, maxChain, t.UnixMilli()); err != nil {
			return fmt.Errorf("put response: mark the conversation used: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put response: %w", err)
	}
	return nil
}

// ResponseChain returns the conversation that ends with response id, oldest
// first, in one query. It returns nil when id is not kept, and an EInvalid
// error (param previous_response_id) when an earlier response of the chain
// is no longer kept or the chain is longer than maxChain; an ETooLarge one
// when its input and output items add up to more than maxBytes (0: no
// limit), read no further: a small call must not make the gateway build a
// body of any size.
func (s *Store) ResponseChain(ctx context.Context, id string, maxBytes int64) ([]Response, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH RECURSIVE chain (id, previous_id, model, input, output, key_id, ts, depth) AS (
			SELECT id, previous_id, model, input, output, key_id, ts, 0 FROM responses WHERE id = ?
			UNION ALL
			SELECT r.id, r.previous_id, r.model, r.input, r.output, r.key_id, r.ts, chain.depth + 1
			FROM responses r JOIN chain ON r.id = chain.previous_id
			WHERE chain.depth < ?
		)
		SELECT id, previous_id, model, input, output, key_id, ts FROM chain ORDER BY depth DESC`, id, maxChain)
	if err != nil {
		return nil, fmt.Errorf("read response chain: %w", err)
	}
	defer rows.Close()
	var chain []Response
	var size int64
	for rows.Next() {
		var r Response
		var input, output, ts string
		if err := rows.Scan(&r.ID, &r.PreviousID, &r.Model, &input, &output, &r.KeyID, &ts); err != nil {
			return nil, fmt.Errorf("read response chain: %w", err)
		}
		if size += int64(len(input) + len(output)); maxBytes > 0 && size > maxBytes {
			return nil, &router.Error{Code: router.ETooLarge, Param: "previous_response_id", Message: fmt.Sprintf(
				"the conversation ending with response %q is over %d bytes, the body limit; send the part to keep as input items instead",
				id, maxBytes)}
		}
		r.Input, r.Output = json.RawMessage(input), json.RawMessage(output)
		if r.Time, err = parseTS(ts); err != nil {
			return nil, fmt.Errorf("read response chain: %w", err)
		}
		chain = append(chain, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read response chain: %w", err)
	}
	if len(chain) > maxChain {
		// The query stops one row past the limit, so this is a longer
		// chain whatever its first row says.
		return nil, &router.Error{Code: router.EInvalid, Param: "previous_response_id",
			Message: fmt.Sprintf("the conversation ending with response %q is longer than %d responses", id, maxChain)}
	}
	if len(chain) > 0 && chain[0].PreviousID != "" {
		// Gone, as an answer OpenAI no longer has: its code, which
		// clients read to send the whole conversation instead.
		return nil, &router.Error{Code: router.EInvalid, Reason: router.PreviousResponseNotFound, Param: "previous_response_id",
			Message: fmt.Sprintf("the conversation of response %q is no longer kept: response %q is gone", id, chain[0].PreviousID)}
	}
	return chain, nil
}

// pruneBatch bounds one delete, so a large prune holds the write lock
// for short spells and answers being kept meanwhile are not kept waiting.
const pruneBatch = 500

// PruneResponses deletes the responses whose conversation has not grown
// since before t, a batch at a time, and returns how many went.
func (s *Store) PruneResponses(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, `
			DELETE FROM responses WHERE rowid IN (SELECT rowid FROM responses WHERE used_ms < ? LIMIT ?)`,
			before.UnixMilli(), pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune responses: %w", err)
		}
		n, err := res.RowsAffected()
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

func isJSONArray(b json.RawMessage) bool {
	return len(b) >= 2 && b[0] == '[' && json.Valid(b)
}

// keptColumns are the columns scanKept reads, in its order, less the
// input, which only KeptResponse's readers (the input_items list) use: an
// agent's input is most of a kept row, and KeptResponses reads up to
// hundreds of thousands of rows for their output alone.
const keptColumns = `r.id, r.previous_id, r.model, r.output, r.response, r.key_id, r.ts`

// scanKept reads a row of keptColumns, followed by r.input when
// withInput.
func scanKept(row interface{ Scan(...any) error }, withInput bool) (Response, error) {
	var r Response
	var input, output, body, ts string
	dest := []any{&r.ID, &r.PreviousID, &r.Model, &output, &body, &r.KeyID, &ts}
	if withInput {
		dest = append(dest, &input)
	}
	if err := row.Scan(dest...); err != nil {
		return Response{}, err
	}
	if withInput {
		r.Input = json.RawMessage(input)
	}
	r.Output = json.RawMessage(output)
	if body != "" {
		r.Body = json.RawMessage(body)
	}
	var err error
	r.Time, err = parseTS(ts)
	return r, err
}

// KeptResponse returns the kept response id; false when it is not kept.
func (s *Store) KeptResponse(ctx context.Context, id string) (Response, bool, error) {
	r, err := scanKept(s.db.QueryRowContext(ctx, `SELECT `+keptColumns+`, r.input FROM responses r WHERE r.id = ?`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return Response{}, false, nil
	}
	if err != nil {
		return Response{}, false, fmt.Errorf("read kept response: %w", err)
	}
	return r, true, nil
}

// KeptResponses returns those of ids that are kept, by id, without their
// Input, in one query: the answers a call's item_references name, which a client may send
// hundreds of thousands of (a query each was about 20 µs). The list goes
// as one JSON argument, so there is no limit on bound variables to chunk
// under, and CROSS JOIN makes it one primary-key probe an id, in the
// list's order, as OtherOwners does.
func (s *Store) KeptResponses(ctx context.Context, ids []string) (map[string]Response, error) {
	kept := map[string]Response{}
	if len(ids) == 0 {
		return kept, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+keptColumns+` FROM json_each(?) AS j CROSS JOIN responses AS r ON r.id = j.value`,
		string(list))
	if err != nil {
		return nil, fmt.Errorf("read kept responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanKept(rows, false)
		if err != nil {
			return nil, fmt.Errorf("read kept responses: %w", err)
		}
		kept[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read kept responses: %w", err)
	}
	return kept, nil
}

// DeleteResponse deletes the kept response id and reports whether it was
// kept. The responses that continued it stay, but can no longer be
// continued: their conversation has lost a turn (ResponseChain says so),
// as at OpenAI. EUnavailable when the database cannot write for now
// (cannotWrite): nothing is deleted, and the client may send it again.
func (s *Store) DeleteResponse(ctx context.Context, id string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM responses WHERE id = ?`, id)
	if cannotWrite(err) {
		// A lock held past busy_timeout or a full disk passes: a 503,
		// which the SDKs retry, as for a rating.
		return false, router.Errorf(router.EUnavailable,
			"the answer cannot be deleted now (the gateway's database is full, read-only or locked); nothing was deleted; retry it later")
	}
	if err != nil {
		return false, fmt.Errorf("delete kept response: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Answer is who wrote a Responses API answer, from the decision log.
type Answer struct {
	// Model wrote the answer ("" when no logged decision produced it);
	// KeyID is the client key it was written for.
	Model, KeyID string
	// PreviousResponseID is the answer its call continued ("" for none,
	// and for rows logged before the log kept it).
	PreviousResponseID string
}

// AnsweredBy returns who wrote the Responses API answer id, from the
// decision log (a zero Answer when no logged decision produced it).
func (s *Store) AnsweredBy(ctx context.Context, id string) (Answer, error) {
	var a Answer
	err := s.db.QueryRowContext(ctx, `
		SELECT answered, key_id, previous_response_id FROM decisions
		WHERE response_id = ? AND response_id != '' AND answered != ''
		ORDER BY ts_ms DESC LIMIT 1`, id).Scan(&a.Model, &a.KeyID, &a.PreviousResponseID)
	if errors.Is(err, sql.ErrNoRows) {
		return Answer{}, nil
	}
	if err != nil {
		return Answer{}, fmt.Errorf("look up response %q: %w", id, err)
	}
	return a, nil
}
