package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// promptKey is what puts one matching row in ByPrompt's order: its time
// and its group. The row itself is read later, by rowid. Rows of one
// millisecond are told apart by ts and request_id, read for them alone
// (breakTies), not held for every row.
type promptKey struct {
	rowid, tsMS int64
	group       int32
}

// promptGroup tells the groups of ByPrompt apart: the deployment and the
// prompt text, by the first half of its SHA-256 (the texts themselves are
// kilobytes each; that two of even a billion texts share 128 bits of
// SHA-256 has a chance under 10^-20).
type promptGroup struct {
	deployment int32
	hasText    bool // prompt_text NULL is a group of its own, apart from ''
	text       [16]byte
}

// rowsByRowid is how many rows eachDecisionByPrompt reads by rowid in one
// query: the list of them is a few kilobytes.
const rowsByRowid = 500

// eachDecisionByPrompt is EachDecision for f.ByPrompt. Sorted by SQLite
// (a window over deployment and prompt text), the whole rows went through
// its temporary files, which took about twice the rated rows' size on
// disk; instead it reads the few columns that order the rows, orders them
// here, then reads the rows in that order by rowid, one at a time (a query
// per rowsByRowid of them). One read transaction makes both steps see the
// same log: BEGIN DEFERRED on a connection of its own, as the store's
// transactions (_txlock=immediate) would hold the write lock for the whole
// walk.
func (s *Store) eachDecisionByPrompt(ctx context.Context, f DecisionFilter, fn func(DecisionRow) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	// A read: nothing to undo; endPinned sees that the connection goes
	// back to the pool out of its transaction, even after a cancelled ctx.
	defer endPinned(ctx, conn)
	order, err := byPromptOrder(ctx, conn, f)
	if err != nil {
		return err
	}
	for rowids := range slices.Chunk(order, rowsByRowid) {
		if err := eachDecisionByRowid(ctx, conn, rowids, fn); err != nil {
			return err
		}
	}
	return nil
}

// byPromptQuery reads what orders the rows that match f (the prompt text
// only to tell its group), in no order, so SQLite sorts nothing.
func byPromptQuery(f DecisionFilter) (string, []any) {
	return decisionsMatching(f, "d.rowid, d.ts_ms, d.deployment, d.prompt_text IS NULL, d.prompt_text")
}

// byPromptOrder is the rowids of the rows that match f in ByPrompt's
// order: oldest first (by ts_ms, ts and request_id, as Decisions), each
// group's rows moved up to its oldest, at most f.Limit of them.
func byPromptOrder(ctx context.Context, conn *sql.Conn, f DecisionFilter) ([]int64, error) {
	keys, groups, err := promptKeys(ctx, conn, f)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(keys, func(a, b promptKey) int {
		return cmp.Or(cmp.Compare(a.tsMS, b.tsMS), cmp.Compare(a.rowid, b.rowid))
	})
	if err := breakTies(ctx, conn, keys); err != nil {
		return nil, err
	}
	// The groups come in the order of their oldest rows, each taking as
	// many places as it has rows, which fill them oldest first.
	var groupsInOrder []int32
	count := make([]int, groups)
	for _, k := range keys {
		if count[k.group] == 0 {
			groupsInOrder = append(groupsInOrder, k.group)
		}
		count[k.group]++
	}
	next := make([]int, groups) // each group's next place
	at := 0
	for _, g := range groupsInOrder {
		next[g] = at
		at += count[g]
	}
	order := make([]int64, len(keys))
	for _, k := range keys {
		order[next[k.group]] = k.rowid
		next[k.group]++
	}
	if f.Limit > 0 && len(order) > f.Limit {
		order = order[:f.Limit]
	}
	return order, nil
}

// promptKeys reads the key of each row that match f, and how many groups
// they fall in.
func promptKeys(ctx context.Context, conn *sql.Conn, f DecisionFilter) ([]promptKey, int, error) {
	q, args := byPromptQuery(f)
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("query decisions: %w", err)
	}
	defer rows.Close()
	deployments := map[string]int32{}
	groups := map[promptGroup]int32{}
	var (
		keys       []promptKey
		deployment string
		noText     bool
		text       sql.RawBytes // reused from row to row
	)
	for rows.Next() {
		var k promptKey
		if err := rows.Scan(&k.rowid, &k.tsMS, &deployment, &noText, &text); err != nil {
			return nil, 0, fmt.Errorf("scan decision: %w", err)
		}
		g := promptGroup{hasText: !noText}
		if id, ok := deployments[deployment]; ok {
			g.deployment = id
		} else {
			g.deployment = int32(len(deployments))
			deployments[deployment] = g.deployment
		}
		if g.hasText {
			sum := sha256.Sum256(text)
			copy(g.text[:], sum[:])
		}
		id, ok := groups[g]
		if !ok {
			id = int32(len(groups))
			groups[g] = id
		}
		k.group = id
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("query decisions: %w", err)
	}
	return keys, len(groups), nil
}

// breakTies puts each run of keys (in time order) that share a
// millisecond in Decisions' order: by ts, then request_id. Those two are
// read for the tied rows alone, the runs of about rowsByRowid of them in
// one query: a busy gateway logs many of its rows in the millisecond of
// another, and a query for each run took most of the time of a walk over
// rows logged in pairs (BenchmarkExportRatedAnswersLoggedInPairs).
func breakTies(ctx context.Context, conn *sql.Conn, keys []promptKey) error {
	var (
		runs [][]promptKey
		tied int
	)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].tsMS == keys[i].tsMS {
			j++
		}
		if j-i > 1 {
			runs = append(runs, keys[i:j])
			tied += j - i
		}
		i = j
		if tied >= rowsByRowid || i == len(keys) && tied > 0 {
			if err := sortRuns(ctx, conn, runs, tied); err != nil {
				return err
			}
			runs, tied = runs[:0], 0
		}
	}
	return nil
}

// sortRuns reads ts and request_id of the tied rows of runs and sorts
// each run by them.
func sortRuns(ctx context.Context, conn *sql.Conn, runs [][]promptKey, tied int) error {
	rowids := make([]int64, 0, tied)
	for _, run := range runs {
		for _, k := range run {
			rowids = append(rowids, k.rowid)
		}
	}
	list, err := json.Marshal(rowids)
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT d.rowid, d.ts, d.request_id FROM json_each(?1) j CROSS JOIN decisions d ON d.rowid = j.value", string(list))
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	defer rows.Close()
	type tie struct{ ts, requestID string }
	ties := make(map[int64]tie, tied)
	for rows.Next() {
		var (
			rowid int64
			t     tie
		)
		if err := rows.Scan(&rowid, &t.ts, &t.requestID); err != nil {
			return fmt.Errorf("scan decision: %w", err)
		}
		ties[rowid] = t
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	for _, run := range runs {
		slices.SortFunc(run, func(a, b promptKey) int {
			ta, tb := ties[a.rowid], ties[b.rowid]
			return cmp.Or(strings.Compare(ta.ts, tb.ts), strings.Compare(ta.requestID, tb.requestID))
		})
	}
	return nil
}

// eachDecisionByRowid calls fn for the rows of rowids, with their
// feedback, in the order of rowids, one row at a time: SQLite walks the
// list (json_each, kept first by CROSS JOIN) and finds each row by its
// rowid, so nothing is sorted and a batch of rows whose prompts are large
// is never held at once.
func eachDecisionByRowid(ctx context.Context, conn *sql.Conn, rowids []int64, fn func(DecisionRow) error) error {
	list, err := json.Marshal(rowids)
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	rows, err := conn.QueryContext(ctx, byRowidQuery, string(list))
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	defer rows.Close()
	read := 0
	for rows.Next() {
		var rowid int64
		r, err := scanDecision(rows, &rowid)
		if err != nil {
			return err
		}
		// Cannot happen within the transaction; never hand on a row out
		// of its place.
		if read == len(rowids) || rowid != rowids[read] {
			return fmt.Errorf("query decisions: row %d read out of its place %d", rowid, read)
		}
		read++
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	if read != len(rowids) { // cannot happen within the transaction either
		return fmt.Errorf("query decisions: %d of %d rows read by rowid", read, len(rowids))
	}
	return nil
}

// byRowidQuery reads the rows of a JSON list of rowids in its order.
var byRowidQuery = "SELECT d.rowid, " + decisionSelect +
	" FROM json_each(?1) j CROSS JOIN decisions d ON d.rowid = j.value LEFT JOIN feedback f ON f.request_id = d.request_id"
