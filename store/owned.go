package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Owned ids (table owned_ids) are ids of state a provider stores that the
// gateway gave a client key: the output items of answers it passed on,
// the conversations a key used first. The gateway calls the provider with
// one key of its own, so the provider would resolve any of them for
// anyone: the record is how another client key is refused.

// execer is what ownIDs writes with: the decision log's transaction, or
// the database itself.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ownIDs records ids as keyID's at t. An id recorded already stays its
// first key's (ids are unique at the provider, and a conversation is its
// first user's); that key's use refreshes it, so pruning counts from its
// last use. Without a key there is no one to tell apart: nothing is
// written.
func ownIDs(ctx context.Context, db execer, keyID string, ids []string, t time.Time) error {
	if keyID == "" || len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO owned_ids (id, key_id, ts_ms)
		SELECT value, ?, ? FROM json_each(?) WHERE value != ''
		ON CONFLICT (id) DO UPDATE SET ts_ms = max(ts_ms, excluded.ts_ms) WHERE key_id = excluded.key_id`,
		keyID, t.UnixMilli(), string(list)); err != nil {
		return fmt.Errorf("record owned ids: %w", err)
	}
	return nil
}

// OwnIDs records ids as keyID's now (see the decision log's
// router.Record.OwnedIDs for those of a call): for what a read of a
// stored answer gave the key, which writes no decision row.
func (s *Store) OwnIDs(ctx context.Context, keyID string, ids []string) error {
	return ownIDs(ctx, s.db, keyID, ids, s.now())
}

// OtherOwners returns the key each of ids was recorded for, where that
// is not keyID: the ids keyID may not name. Its own ids, hundreds a turn
// in an agent's conversation sent back whole, are not read back. An id
// never recorded (made elsewhere, before keys were needed, or pruned) is
// absent.
func (s *Store) OtherOwners(ctx context.Context, keyID string, ids []string) (map[string]string, error) {
	owners := map[string]string{}
	if len(ids) == 0 {
		return owners, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	// One primary-key probe an id, in the list's order: `id IN (SELECT
	// value FROM json_each(?))` first sorts the list into a temporary
	// index, 1.2-1.6x as long for an agent's 300 ids
	// (BenchmarkOtherOwners). CROSS JOIN keeps SQLite from scanning the
	// table instead.
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.key_id FROM json_each(?) AS j CROSS JOIN owned_ids AS o ON o.id = j.value WHERE o.key_id != ?`,
		string(list), keyID)
	if err != nil {
		return nil, fmt.Errorf("look up owned ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("look up owned ids: %w", err)
		}
		owners[id] = key
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up owned ids: %w", err)
	}
	return owners, nil
}

// pruneOwnedIDs deletes the owned ids last given or used before before,
// as the decision rows of that time go: the log's retention is the
// record's. pruneBatch rows a transaction, so the decision log's writer is
// never kept waiting long.
func (s *Store) pruneOwnedIDs(ctx context.Context, before time.Time) error {
	for {
		res, err := s.db.ExecContext(ctx, `
			DELETE FROM owned_ids WHERE id IN (SELECT id FROM owned_ids WHERE ts_ms < ? ORDER BY ts_ms LIMIT ?)`,
			before.UnixMilli(), pruneBatch)
		if err != nil {
			return fmt.Errorf("prune owned ids: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n < pruneBatch {
			return err
		}
	}
}
