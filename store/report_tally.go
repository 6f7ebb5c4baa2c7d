package store

import (
	"cmp"
	"context"
	"fmt"
	"time"
)

// tally sums decisions into report groups keyed by the deployment as
// logged: the report folds names that are no deployment only once it
// knows every name decided in its range, which per-day totals cannot.
type tally struct {
	byDay  bool
	groups map[tallyKey]*ReportRow
	// decided are the logged names with a call the router decided
	// (decidedSQL): the names that keep rows of their own.
	decided map[string]bool
}

// tallyKey is a group: day (its UTC midnight in Unix ms; 0 in a tally
// not by day), deployment as logged, and model.
type tallyKey struct {
	dayMS             int64
	deployment, model string
}

func newTally(byDay bool) *tally {
	return &tally{byDay: byDay, groups: map[tallyKey]*ReportRow{}, decided: map[string]bool{}}
}

func (t *tally) group(k tallyKey) *ReportRow {
	if !t.byDay {
		k.dayMS = 0
	}
	g := t.groups[k]
	if g == nil {
		g = newReportRow()
		t.groups[k] = g
	}
	return g
}

// merge adds the groups of o, a tally by day.
func (t *tally) merge(o *tally) {
	for k, g := range o.groups {
		t.group(k).merge(g)
	}
	for name := range o.decided {
		t.decided[name] = true
	}
}

// progress passes the number of decisions read to a report's Progress
// every few thousand rows.
type progress struct {
	report         func(rows int64)
	read, reported int64
}

func (p *progress) add(rows int64) {
	if p.read += rows; p.report != nil && p.read-p.reported >= 4096 {
		p.flush()
	}
}

func (p *progress) flush() {
	if p.report != nil && p.read > p.reported {
		p.report(p.read - p.reported)
		p.reported = p.read
	}
}

// scan adds the decisions with since <= ts < until (a zero side open)
// logged under spellings (nil: any deployment) to t.
func (rp *Reports) scan(ctx context.Context, t *tally, since, until time.Time, spellings []string, p *progress) error {
	where, args := rangeWhere(since, until, spellings)
	rows, err := rp.db.QueryContext(ctx, `SELECT ts_ms, deployment, chosen, answered, candidates, `+sentSQL+`, `+hasAnswer("")+`, status,
		error_code, `+failedOverSQL+`, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd,
		`+decidedSQL+` FROM decisions`+where, args...)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r logRow
		var decided bool
		if err := rows.Scan(&r.tsMS, &r.deployment, &r.chosen, &r.answered, &r.candidates, &r.sent, &r.answer, &r.status,
			&r.errorCode, &r.failedOver, &r.usage.PromptTokens, &r.usage.CompletionTokens, &r.usage.ReasoningTokens,
			&r.usage.CachedTokens, &r.cost, &decided); err != nil {
			return fmt.Errorf("report: read decision: %w", err)
		}
		p.add(1)
		if decided {
			t.decided[r.deployment] = true
		}
		d, err := r.decision()
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		k := tallyKey{dayMS: startOfDay(r.tsMS), deployment: r.deployment, model: r.model()}
		t.group(k).add(&r, d)
		// A failover counts under the model that failed, as the metric
		// labels it, not under the one that answered the request.
		failed, err := r.failedModels()
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		for _, m := range failed {
			k.model = cmp.Or(m, "none")
			t.group(k).Failovers++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
