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
// rows' calls cost to pruned_spend, by key and span, so KeySpend (a key's
// budget, `keys list`) counts it as before. A span is a UTC day, cut at
// every start AddBudgetStart recorded that day: each gateway counts its
// own calls since its start and reads the log only before it, and a prune
// by any gateway on the database must keep that read exact. Then the
// starts no later prune can split at go too (pruneBudgetStarts), and the
// owned ids last given or used before before (pruneOwnedIDs).
func (s *Store) PruneDecisions(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	from := int64(math.MinInt64) // rated rows before it were seen by an earlier batch
	for {
		n, last, err := s.pruneDecisionBatch(ctx, from, before.UnixMilli())
		total += n
		if err != nil {
			return total, fmt.Errorf("prune decisions: %w", err)
		}
		if n < pruneBatch {
			break
		}
		from = last
	}
	if err := s.pruneBudgetStarts(ctx, before); err != nil {
		return total, fmt.Errorf("prune decisions: %w", err)
	}
	if err := s.pruneOwnedIDs(ctx, before); err != nil {
		return total, fmt.Errorf("prune decisions: %w", err)
	}
	return total, nil
}

// lateRows bounds how long after its call began a decision row may still
// reach the log: a row is written when its call ends (a stream may run
// for hours), or later when the disk was full and the writer held it.
const lateRows = 24 * time.Hour

// pruneBudgetStarts deletes the budget_starts rows that no prune can split
// at any more. A start matters only to the rows after it on its UTC day
// (a span begins at the day's latest start at or before a row, else at
// midnight), and only when such a row is pruned: the spans already in
// pruned_spend keep their cut, and KeySpend never reads budget_starts. So
// a start goes once no decision row is left after it on its day (rated
// rows stay, and their feedback may be deleted later, so a start before
// one stays too) and that day ended lateRows before the prune's cut, so no
// row dated on it can still come in. No kept row's span changes, and
// every gateway's read up to its own start stays exact, its own row gone
// or not.
func (s *Store) pruneBudgetStarts(ctx context.Context, before time.Time) error {
	if _, err := s.db.ExecContext(ctx, `
		DELETE FROM budget_starts
		WHERE at_ms - at_ms % 86400000 + 86400000 <= ?1
		  AND NOT EXISTS (SELECT 1 FROM decisions d
			WHERE d.ts_ms >= budget_starts.at_ms AND d.ts_ms < budget_starts.at_ms - budget_starts.at_ms % 86400000 + 86400000)`,
		before.Add(-lateRows).UnixMilli()); err != nil {
		return fmt.Errorf("prune budget starts: %w", err)
	}
	return nil
}

// AddBudgetStart records at, when a gateway's budget tracker began
// counting its calls itself, so PruneDecisions splits pruned spend there
// and KeySpend(since, at) stays exact once the rows after at are gone.
// serve records it before it serves: a prune reaches only rows older than
// --keep-decisions, so none after at is pruned before at is recorded.
func (s *Store) AddBudgetStart(ctx context.Context, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO budget_starts (at_ms) VALUES (?)`, at.UnixMilli()); err != nil {
		return fmt.Errorf("record budget start: %w", err)
	}
	return nil
}

// pruneDecisionBatch deletes up to pruneBatch unrated rows with ts_ms in
// [from, before) and returns how many it deleted and the latest ts_ms among
// them.
func (s *Store) pruneDecisionBatch(ctx context.Context, from, before int64) (n, last int64, err error) {
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
	// A call's span starts at the latest gateway start at or before it on
	// its UTC day, or at that day's midnight if none.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO pruned_spend (key_id, from_ms, cost_usd, calls)
		SELECT key_id, max(ts_ms - ts_ms % 86400000,
				coalesce((SELECT max(at_ms) FROM budget_starts WHERE at_ms <= d.ts_ms), 0)) AS span,
			total(cost_usd), count(*)
		FROM decisions d WHERE rowid IN (SELECT value FROM json_each(?))
		GROUP BY key_id, span
		ON CONFLICT (key_id, from_ms) DO UPDATE SET
			cost_usd = cost_usd + excluded.cost_usd, calls = calls + excluded.calls`, batch); err != nil {
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
