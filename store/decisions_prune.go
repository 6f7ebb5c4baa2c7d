package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// PruneDecisions deletes the decision rows of calls that began before
// before, oldest first, pruneBatch rows a transaction so the decision log's
// writer is never kept waiting long, and returns how many went.
//
// Rows with feedback stay: they are the training set `export-feedback`
// reads, rated on purpose, and few. Each transaction adds what the deleted
// rows' calls cost to pruned_spend, by key and UTC day, so KeySpend (a
// key's budget, `keys list`) counts it as before.
//
// split (zero: none) keeps the spend of calls that began at or after it
// apart from the earlier calls of their day, so KeySpend(since, split)
// stays exact once their rows are gone: serve passes the time its budget
// tracker started, which counts those calls itself.
func (s *Store) PruneDecisions(ctx context.Context, before, split time.Time) (int64, error) {
	splitMS := int64(math.MaxInt64)
	if !split.IsZero() {
		splitMS = split.UnixMilli()
	}
	var total int64
	from := int64(math.MinInt64) // rated rows before it were seen by an earlier batch
	for {
		n, last, err := s.pruneDecisionBatch(ctx, from, before.UnixMilli(), splitMS)
		total += n
		if err != nil {
			return total, fmt.Errorf("prune decisions: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
		from = last
	}
}

// pruneDecisionBatch deletes up to pruneBatch unrated rows with ts_ms in
// [from, before) and returns how many it deleted and the latest ts_ms among
// them.
func (s *Store) pruneDecisionBatch(ctx context.Context, from, before, splitMS int64) (n, last int64, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT d.rowid, d.ts_ms FROM decisions d
		WHERE d.ts_ms >= ? AND d.ts_ms < ? AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.request_id = d.request_id)
		ORDER BY d.ts_ms LIMIT ?`, from, before, pruneBatch)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	ids := make([]string, 0, pruneBatch)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &last); err != nil {
			return 0, 0, err
		}
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	rows.Close()
	if len(ids) == 0 {
		return 0, 0, nil
	}
	batch := "[" + strings.Join(ids, ",") + "]"
	// A call's span starts at its UTC day's midnight, or at split for a
	// call of split's day that began at or after it.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO pruned_spend (key_id, from_ms, cost_usd, calls)
		SELECT key_id, CASE WHEN ts_ms >= ?1 THEN max(ts_ms - ts_ms % 86400000, ?1) ELSE ts_ms - ts_ms % 86400000 END AS span,
			total(cost_usd), count(*)
		FROM decisions WHERE rowid IN (SELECT value FROM json_each(?2))
		GROUP BY key_id, span
		ON CONFLICT (key_id, from_ms) DO UPDATE SET
			cost_usd = cost_usd + excluded.cost_usd, calls = calls + excluded.calls`, splitMS, batch); err != nil {
		return 0, 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM decisions WHERE rowid IN (SELECT value FROM json_each(?))`, batch)
	if err != nil {
		return 0, 0, err
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	return n, last, tx.Commit()
}
