package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// A report over weeks read every row of them, some 25 µs each: a month of
// a busy log took seconds, the whole log a minute. A store open for writing
// therefore keeps each whole past UTC day's report groups in report_days
// (migration 0010) the first time a report reads that day, and later
// reports read those instead of the day's rows; the part of a range that
// is not a whole past day is read from the rows as before.
//
// The totals are never stale: triggers on decisions delete a day's
// report_days_done row whenever a row of that day is inserted, updated or
// deleted (a late insert, usage booked after the answer, a prune), and a
// day is read from report_days only while that row says it is filled. A
// report that fills a day first commits the day's row as pending with a
// token of its own, then reads the day's decisions, then stores the groups
// and marks the day filled only if its pending row is still there with its
// token: any change to the day after the read began deleted that row. The
// groups are keyed by the deployment as logged, before the report folds
// names that are no deployment, so one set serves every report: all
// deployments, one (in any spelling), by day or not.

// keptFormat is report_days_done.filled of a day whose groups this
// release wrote, and the only value it reads as filled. Bump it whenever
// what a kept group holds (keptGroup) or how scan counts a row changes:
// a day kept by another release is then read from its rows and kept
// again, rather than read as stale totals (`modelrouter report` opens a
// file of any release read-only).
const keptFormat = 2

// keptFormat's history: 1 counted the expected costs, savings and
// qualities over every forwarded call; 2 only over the answered ones
// (ReportRow.Answered), with the answering model's expected cost.

// dayMS is one UTC day in milliseconds.
const dayMS = 24 * 60 * 60 * 1000

// startOfDay is the UTC midnight on or before ts (Unix ms).
func startOfDay(ts int64) int64 {
	d := ts / dayMS
	if ts%dayMS < 0 {
		d--
	}
	return d * dayMS
}

// sum adds the decisions with since <= ts < until (a zero side open)
// logged under spellings (nil: any deployment) to t: whole past days from
// their kept totals where there are some, the rest from the rows.
func (rp *Reports) sum(ctx context.Context, t *tally, since, until time.Time, spellings []string, p *progress) error {
	first, end, err := rp.wholeDays(ctx, since, until)
	if err != nil || first >= end {
		if err != nil {
			return err
		}
		return rp.scan(ctx, t, since, until, spellings, p)
	}
	if err := rp.scan(ctx, t, since, time.UnixMilli(first), spellings, p); err != nil {
		return err
	}
	kept, err := rp.keptDays(ctx, t, first, end, spellings, p)
	if err != nil {
		return err
	}
	var missing []int64
	for day := first; day < end; day += dayMS {
		if !kept[day] {
			missing = append(missing, day)
		}
	}
	// A report of one deployment does not fill days: that would read
	// every deployment's rows of them.
	if rp.fill && spellings == nil && kept != nil {
		if err := rp.fillDays(ctx, t, missing, p); err != nil {
			return err
		}
	} else {
		for i := 0; i < len(missing); {
			j := i + 1
			for j < len(missing) && missing[j] == missing[j-1]+dayMS {
				j++
			}
			if err := rp.scan(ctx, t, time.UnixMilli(missing[i]), time.UnixMilli(missing[j-1]+dayMS), spellings, p); err != nil {
				return err
			}
			i = j
		}
	}
	return rp.scan(ctx, t, time.UnixMilli(end), until, spellings, p)
}

// wholeDays are the UTC days [first, end) wholly inside [since, until)
// that are over; an open since starts at the first logged row's day. The
// first day of 1970 is left out, which keeps the triggers' arithmetic on
// positive times.
func (rp *Reports) wholeDays(ctx context.Context, since, until time.Time) (first, end int64, err error) {
	if since.IsZero() {
		var oldest sql.NullFloat64
		if err := rp.db.QueryRowContext(ctx, `SELECT min(ts_ms) FROM decisions`).Scan(&oldest); err != nil {
			return 0, 0, fmt.Errorf("report: %w", err)
		}
		if !oldest.Valid {
			return 0, 0, nil
		}
		first = startOfDay(int64(math.Max(math.Min(oldest.Float64, math.MaxInt64/2), 0)))
	} else {
		first = startOfDay(since.UnixMilli() + dayMS - 1)
	}
	end = startOfDay(rp.now().UnixMilli())
	if !until.IsZero() {
		end = min(end, startOfDay(until.UnixMilli()))
	}
	return max(first, dayMS), end, nil
}

// keptDays adds the kept totals of the filled days in [first, end) to t
// and returns those days; nil where the log has no report_days (one an
// older release wrote, opened without migrating). One statement reads
// them, so the days and their groups are of one moment.
func (rp *Reports) keptDays(ctx context.Context, t *tally, first, end int64, spellings []string, p *progress) (map[int64]bool, error) {
	var n int
	if err := rp.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'report_days_done'`).Scan(&n); err != nil || n == 0 {
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		return nil, nil
	}
	args := []any{}
	on := ""
	if spellings != nil {
		on = " AND g.deployment IN (" + sqlList(len(spellings)) + ")"
		for _, s := range spellings {
			args = append(args, s)
		}
	}
	rows, err := rp.db.QueryContext(ctx, `SELECT d.day_ms, g.deployment, g.model, g.decided, g.sums
		FROM report_days_done d LEFT JOIN report_days g ON g.day_ms = d.day_ms`+on+`
		WHERE d.filled = ? AND d.day_ms >= ? AND d.day_ms < ?`, append(args, keptFormat, first, end)...)
	if err != nil {
		return nil, fmt.Errorf("report: kept days: %w", err)
	}
	defer rows.Close()
	kept := map[int64]bool{}
	for rows.Next() {
		var day int64
		var deployment, model, sums sql.NullString
		var decided sql.NullBool
		if err := rows.Scan(&day, &deployment, &model, &decided, &sums); err != nil {
			return nil, fmt.Errorf("report: kept days: %w", err)
		}
		kept[day] = true
		if !deployment.Valid {
			continue // a day without rows of the deployments asked for
		}
		var g keptGroup
		if err := json.Unmarshal([]byte(sums.String), &g); err != nil {
			return nil, fmt.Errorf("report: kept day %s: %w", time.UnixMilli(day).UTC().Format(time.DateOnly), err)
		}
		t.group(tallyKey{day, deployment.String, model.String}).merge(g.row())
		if decided.Bool {
			t.decided[deployment.String] = true
		}
		p.add(g.Requests)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: kept days: %w", err)
	}
	return kept, nil
}

// fillDays adds the days to t from their rows and keeps their totals.
// Keeping is best effort: a report that cannot write them (the log is
// locked past the busy timeout, the disk is full) is still right.
func (rp *Reports) fillDays(ctx context.Context, t *tally, days []int64, p *progress) error {
	if len(days) == 0 {
		return nil
	}
	token := rand.Int64()
	pending := rp.markPending(ctx, days, token) == nil
	read := make([]*tally, len(days))
	for i, day := range days {
		read[i] = newTally(true)
		if err := rp.scan(ctx, read[i], time.UnixMilli(day), time.UnixMilli(day+dayMS), nil, p); err != nil {
			return err
		}
		t.merge(read[i])
	}
	if pending {
		_ = rp.keepDays(ctx, days, token, read)
	}
	return nil
}

// markPending marks the days as being read by the report holding token,
// before it reads them: a change to one of their rows from then on
// deletes its mark.
func (rp *Reports) markPending(ctx context.Context, days []int64, token int64) error {
	return rp.inTx(ctx, func(tx *sql.Tx) error {
		for _, day := range days {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO report_days_done (day_ms, filled, token) VALUES (?, 0, ?)`, day, token); err != nil {
				return err
			}
		}
		return nil
	})
}

// keepBatchGroups bounds the groups one transaction of keepDays writes,
// as the prune deletes 500 rows a transaction: the first report of a
// year-long log keeps every day it read, and in one transaction it held
// the write lock for about 0.25 s with 16 groups a day (1M-row log, see
// README "The log at scale"), longer with more deployments and models,
// while each call's decision waited to be logged.
const keepBatchGroups = 500

// keepDays keeps each day's groups, read[i] for days[i], where its
// pending mark is still token's: whole days, as many a transaction as
// keep it under rp.keepBatch groups (a larger day alone). A batch that
// cannot be written leaves its days and the later ones to the next report.
func (rp *Reports) keepDays(ctx context.Context, days []int64, token int64, read []*tally) error {
	for i := 0; i < len(days); {
		j, groups := i, 0
		for j < len(days) && (j == i || groups+len(read[j].groups) <= rp.keepBatch) {
			groups += len(read[j].groups)
			j++
		}
		err := rp.inTx(ctx, func(tx *sql.Tx) error {
			for k := i; k < j; k++ {
				if err := keepDay(ctx, tx, days[k], token, read[k]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if rp.keptBatch != nil {
			rp.keptBatch(days[i:j])
		}
		i = j
	}
	return nil
}

// keepDay stores a day's groups and marks it filled, if no row of the day
// changed since its pending mark (whose token is still there).
func keepDay(ctx context.Context, tx *sql.Tx, day, token int64, t *tally) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM report_days_done WHERE day_ms = ? AND token = ? AND filled = 0`, day, token).Scan(&one)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_days WHERE day_ms = ?`, day); err != nil {
		return err
	}
	for k, g := range t.groups {
		sums, err := json.Marshal(keptGroupOf(g))
		if err != nil {
			return nil // a sum JSON cannot hold (not finite): the day is not kept
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_days (day_ms, deployment, model, decided, sums) VALUES (?, ?, ?, ?, ?)`,
			day, k.deployment, k.model, t.decided[k.deployment], sums); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE report_days_done SET filled = ? WHERE day_ms = ?`, keptFormat, day)
	return err
}

func (rp *Reports) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := rp.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// keptGroup is a group's counts and sums as report_days keeps them.
type keptGroup struct {
	Requests, Errors, Failovers, Routed, Answered int64
	Prompt, Completion, Reasoning, Cached         int64
	Sums                                          *rowSums
}

func keptGroupOf(g *ReportRow) keptGroup {
	return keptGroup{Requests: g.Requests, Errors: g.Errors, Failovers: g.Failovers, Routed: g.Routed,
		Answered: g.Answered, Prompt: g.PromptTokens, Completion: g.CompletionTokens, Reasoning: g.ReasoningTokens, Cached: g.CachedTokens, Sums: g.sums}
}

func (g keptGroup) row() *ReportRow {
	r := &ReportRow{Requests: g.Requests, Errors: g.Errors, Failovers: g.Failovers, Routed: g.Routed,
		Answered: g.Answered, PromptTokens: g.Prompt, CompletionTokens: g.Completion, ReasoningTokens: g.Reasoning, CachedTokens: g.Cached, sums: g.Sums}
	if r.sums == nil {
		r.sums = &rowSums{}
	}
	return r
}
