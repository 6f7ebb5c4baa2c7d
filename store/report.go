package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Reports answers read-only questions about the decision log: what was
// routed where, what it cost and what routing saved. The only thing it
// writes is its own per-day totals (see report_days.go), and only when it
// came from [Store.Reports] of a store open for writing.
type Reports struct {
	db *sql.DB
	// fill lets a report keep the totals of the whole days it read.
	fill bool
	// now says which days are over (only those are kept).
	now func() time.Time
	// keepBatch bounds the groups one transaction of keepDays writes
	// (keepBatchGroups; tests set fewer).
	keepBatch int
	// keptBatch, when set (by tests), is told the days of each of
	// keepDays' transactions once it commits.
	keptBatch func(days []int64)
}

// NewReports reads the decision log in db (a store database, or one opened
// with [OpenReadOnly]). It reads the per-day totals a gateway kept but
// writes none: db may be read-only, and the CLI's report runs next to a
// live server.
func NewReports(db *sql.DB) *Reports { return &Reports{db: db, now: time.Now} }

// Reports returns the store's report queries; a store open for writing
// keeps the totals of each whole past day a report reads, so the next
// report over that day reads them instead of its rows.
func (s *Store) Reports() *Reports {
	return &Reports{db: s.db, fill: !s.readOnly, now: func() time.Time { return s.Now() }, keepBatch: keepBatchGroups}
}

// OpenReadOnly opens an existing store database for reports without
// creating, migrating or locking it for writes, so `modelrouter report` can
// run next to a live server.
func OpenReadOnly(path string) (*sql.DB, error) {
	db, err := openFileReadOnly(path)
	if err != nil {
		return nil, err
	}
	var n int
	err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'decisions'`).Scan(&n)
	if err == nil && n == 0 {
		err = errors.New("no decisions table (is this a modelrouter database?)")
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open decision log %s: %w", path, err)
	}
	return db, nil
}

// BeingCreated reports, read-only, whether the existing SQLite file at path
// has no table but (at most) the migrations table. That is a store another
// process's Open is creating: it commits the migrations table before it
// applies the first migration, in a later transaction. [Open] on such a
// file waits on that process's write lock and finishes the same store, so
// a command that makes a database where none is may open it. A file that
// is not SQLite is an error.
func BeingCreated(path string) (bool, error) {
	db, err := openFileReadOnly(path)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'migrations' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`).Scan(&n); err != nil {
		return false, fmt.Errorf("open decision log %s: %w", path, err)
	}
	return n == 0, nil
}

// Range selects decisions by time and deployment.
type Range struct {
	// Since and Until bound the decision time: Since <= t < Until. A zero
	// time leaves that side open.
	Since, Until time.Time
	// Deployment limits the report to one deployment ("" for all), named
	// in any case as calls name it: the rows logged under that exact
	// name when a deployment had it, or else those logged under it in
	// any case (see deploymentSpellings).
	Deployment string
}

// where is the range's WHERE clause; the deployment is looked up in the
// log first (see [Range.Deployment]).
func (rp *Reports) where(ctx context.Context, r Range) (string, []any, error) {
	spellings, err := rp.spellings(ctx, r.Deployment)
	if err != nil {
		return "", nil, err
	}
	where, args := rangeWhere(r.Since, r.Until, spellings)
	return where, args, nil
}

// spellings are the logged names a report of deployment reads (see
// deploymentSpellings); nil for every deployment.
func (rp *Reports) spellings(ctx context.Context, deployment string) ([]string, error) {
	if deployment == "" {
		return nil, nil
	}
	return rp.deploymentSpellings(ctx, deployment)
}

// rangeWhere is the WHERE clause of the decisions with since <= ts < until
// (a zero time leaves that side open) logged under one of spellings (nil:
// any deployment).
func rangeWhere(since, until time.Time, spellings []string) (string, []any) {
	var conds []string
	var args []any
	if !since.IsZero() {
		conds, args = append(conds, "ts_ms >= ?"), append(args, since.UnixMilli())
	}
	if !until.IsZero() {
		conds, args = append(conds, "ts_ms < ?"), append(args, until.UnixMilli())
	}
	if spellings != nil {
		conds = append(conds, "deployment IN ("+sqlList(len(spellings))+")")
		for _, n := range spellings {
			args = append(args, n)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// sqlList is n comma-separated placeholders.
func sqlList(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// deploymentSpellings is how the log spells deployment name: as given when
// a deployment had that name (it is stored so, or a call to it was
// decided), else in every other case it has. The log names a deployment
// as it was created, but one written before names compared without case
// also holds refused calls' spellings of it, and may hold two deployments
// that differ only in case: each exact name reports alone. A spelling
// only refused calls used (404s, before names compared without case) is
// no deployment's, and must not stand for the one it folds to: "MR" would
// report a client's old 404s and none of mr's calls. The exact test reads
// the (deployment, ts_ms) index; only a name in another case scans it,
// and the report's own query then reads the index for each spelling.
func (rp *Reports) deploymentSpellings(ctx context.Context, name string) ([]string, error) {
	var one int
	err := rp.db.QueryRowContext(ctx, `SELECT 1 FROM deployments WHERE name = ?
		UNION ALL SELECT 1 FROM decisions WHERE deployment = ? AND `+decidedSQL+` LIMIT 1`, name, name).Scan(&one)
	if err == nil {
		return []string{name}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find deployment %q in the log: %w", name, err)
	}
	// NOCASE folds ASCII letters only, so every spelling of name lies
	// between its upper- and lower-case forms; the query steps from one
	// distinct name in that span to the next (one index seek each), where
	// comparing each index entry without case read all of them: 0.16 to
	// 0.4 s for a log of 3 million rows.
	rows, err := rp.db.QueryContext(ctx, spellingsSQL, asciiFold(name, true), asciiFold(name, false), name)
	if err != nil {
		return nil, fmt.Errorf("find deployment %q in the log: %w", name, err)
	}
	defer rows.Close()
	spellings := []string{name}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("find deployment %q in the log: %w", name, err)
		}
		spellings = append(spellings, n)
	}
	return spellings, rows.Err()
}

// spellingsSQL lists the logged deployment names equal to ?3 but for
// case, stepping through the distinct names from ?1 (its upper-case form)
// to ?2 (its lower-case form) on the (deployment, ts_ms) index.
const spellingsSQL = `WITH RECURSIVE names(n) AS (
		SELECT (SELECT min(deployment) FROM decisions WHERE deployment >= ?1)
		UNION ALL
		SELECT (SELECT min(deployment) FROM decisions WHERE deployment > n) FROM names WHERE n <= ?2)
	SELECT n FROM names WHERE n = ?3 COLLATE NOCASE`

// asciiFold is s with its ASCII letters in upper (or lower) case, as
// SQLite's NOCASE folds them; other bytes stay.
func asciiFold(s string, upper bool) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// Validate rejects a range that ends before it starts.
func (r Range) Validate() error {
	if !r.Since.IsZero() && !r.Until.IsZero() && !r.Until.After(r.Since) {
		return router.Errorf(router.EInvalid, "until (%s) must be after since (%s)",
			r.Until.UTC().Format(time.RFC3339), r.Since.UTC().Format(time.RFC3339))
	}
	return nil
}

// Count returns how many decisions fall in the range, to size a progress
// bar before a long report.
func (rp *Reports) Count(ctx context.Context, r Range) (int64, error) {
	where, args, err := rp.where(ctx, r.scanned())
	if err != nil {
		return 0, err
	}
	var n int64
	if err := rp.db.QueryRowContext(ctx, "SELECT count(*) FROM decisions"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count decisions: %w", err)
	}
	return n, nil
}

// ReportQuery is what [Reports.Report] summarises.
type ReportQuery struct {
	Range
	// ByDay splits every deployment and model into UTC days.
	ByDay bool
	// Progress, when set, is called with the number of rows read since
	// the last call (every few thousand rows and at the end).
	Progress func(rows int64)
	// Builtin names the deployments that exist without a row in the
	// deployments table (the server's built-in model-router). With the
	// stored ones they keep rows of their own even where no call to them
	// was decided; other names without a decided call are reported as
	// [UnknownDeployment].
	Builtin []string
}

// SavingsMethod says how the counterfactual costs are computed; reports
// carry it so a reader never has to guess.
const SavingsMethod = "Savings compare expected costs recorded at decision time, like with like, " +
	"over the requests a model answered (a call every model failed did no work and saves nothing): " +
	"the routed cost is the answering candidate's expected_cost_usd, a counterfactual's cost is its model's " +
	"expected_cost_usd for the same request (the request's prompt tokens plus that model's predicted " +
	"output and reasoning tokens, at its catalog prices). Strongest: per request, the eligible candidate " +
	"with the highest predicted quality. Best single: per deployment, the model with the highest mean " +
	"predicted quality over the period among models eligible for at least half of its answered requests; " +
	"requests it could not serve keep their routed cost. cost_usd is what upstreams actually billed " +
	"(estimated for answers whose provider reported no usage: decisions.usage_estimated)."

// ReportRow sums the decisions of one deployment and model (and day, when
// the report is by day). Totals use the same shape with empty keys.
type ReportRow struct {
	Day        string `json:"day,omitempty"`
	Deployment string `json:"deployment,omitempty"`
	// Model is the model that answered, else the one chosen, else "none".
	Model string `json:"model,omitempty"`

	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// Failovers counts the row's model's calls that failed so the next
	// model was tried, in the requests of the row's deployment (and day),
	// whichever model answered them: what modelrouter_failovers_total
	// counts under the same model (see failedOverSQL). A model that only
	// failed has a row of its own with no requests.
	Failovers        int64   `json:"failovers"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	ReasoningTokens  int64   `json:"reasoning_tokens"`
	CachedTokens     int64   `json:"cached_tokens"`
	CostUSD          float64 `json:"cost_usd"`

	// Routed counts the requests the router decided and forwarded to an
	// upstream (what the timeline charts); dry runs and calls refused
	// before forwarding are left out.
	Routed int64 `json:"routed"`
	// Answered counts the routed requests a model answered (hasAnswer):
	// the base of every expected cost, saving and quality below. A call
	// every model failed did no work, so it saves nothing: counting it
	// made the strongest model's expected cost of work never done look
	// like money saved.
	Answered          int64   `json:"answered"`
	RoutedExpectedUSD float64 `json:"routed_expected_cost_usd"`
	StrongestUSD      float64 `json:"strongest_expected_cost_usd"`
	BestSingleUSD     float64 `json:"best_single_expected_cost_usd"`
	SavingsStrongest  float64 `json:"savings_vs_strongest_usd"`
	SavingsBestSingle float64 `json:"savings_vs_best_single_usd"`
	// Mean predicted qualities of the routed choice and the two
	// counterfactuals: what the savings cost in expected quality.
	RoutedQuality     float64 `json:"routed_mean_quality"`
	StrongestQuality  float64 `json:"strongest_mean_quality"`
	BestSingleQuality float64 `json:"best_single_mean_quality"`

	// sums behind the money, the means and the best-single
	// counterfactual, until finish; nil in a finished report.
	sums *rowSums
}

// rowSums are a ReportRow's sums of float64s, added exactly so that a
// row's totals are the same whether it was summed from the decisions or
// from per-day totals (see exactSum). Exported fields are for the per-day
// totals' JSON.
type rowSums struct {
	Cost, RoutedExpected, RoutedQ exactSum
	Strongest, StrongestQ         exactSum
	ByModel                       map[string]*modelSums `json:",omitempty"`
}

// modelSums are one candidate model's numbers over the requests of a row
// where it was eligible, and the routed numbers of those same requests.
type modelSums struct {
	N                   int64
	Cost, Quality       exactSum
	RoutedCost, RoutedQ exactSum
}

func newReportRow() *ReportRow { return &ReportRow{sums: &rowSums{}} }

// Report is the answer to a [ReportQuery].
type Report struct {
	Since      *time.Time `json:"since,omitempty"`
	Until      *time.Time `json:"until,omitempty"`
	Deployment string     `json:"deployment,omitempty"`
	ByDay      bool       `json:"by_day"`
	// BestSingle names each deployment's best single model (none for a
	// deployment without answered requests).
	BestSingle map[string]string `json:"best_single_model"`
	Method     string            `json:"method"`
	// Rows are sorted by day, deployment, then cost (highest first).
	Rows []ReportRow `json:"rows"`
	// Deployments are per-deployment totals over the whole range.
	Deployments []ReportRow `json:"deployments"`
	Total       ReportRow   `json:"total"`
}

// Report sums the decision log per deployment and model (and day) and
// prices two counterfactuals: always the strongest candidate, and always
// the best single model (see [SavingsMethod]). Calls under a name that is
// not a stored or built-in deployment and has no call in the range that
// the router decided are summed under [UnknownDeployment], so the rows are
// bounded by the deployments and the catalog's models (times the days),
// whatever names clients send; every logged row is still in exactly one
// row and in the totals.
func (rp *Reports) Report(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	scan := q.scanned()
	spellings, err := rp.spellings(ctx, scan.Deployment)
	if err != nil {
		return nil, err
	}
	t := newTally(q.ByDay)
	progress := &progress{report: q.Progress}
	if err := rp.sum(ctx, t, scan.Since, scan.Until, spellings, progress); err != nil {
		return nil, err
	}
	progress.flush()
	// With no deployment asked for (or UnknownDeployment), names that
	// are no deployment share one row; one asked for by name is its own.
	var known map[string]bool
	if scan.Deployment == "" {
		if known, err = rp.deploymentNames(ctx, t.decided, q.Builtin); err != nil {
			return nil, err
		}
	}

	type key struct {
		dayMS             int64
		deployment, model string
	}
	groups := map[key]*ReportRow{}
	deployments := map[string]*ReportRow{}
	total := newReportRow()
	for k, g := range t.groups {
		name := k.deployment
		if known != nil && !known[name] {
			name = UnknownDeployment
		}
		if q.Deployment == UnknownDeployment && name != UnknownDeployment {
			continue
		}
		ok := key{k.dayMS, name, k.model}
		if groups[ok] == nil {
			groups[ok] = newReportRow()
			groups[ok].Deployment, groups[ok].Model = name, k.model
			if q.ByDay {
				groups[ok].Day = time.UnixMilli(k.dayMS).UTC().Format(time.DateOnly)
			}
		}
		if deployments[name] == nil {
			deployments[name] = newReportRow()
			deployments[name].Deployment = name
		}
		for _, row := range []*ReportRow{groups[ok], deployments[name], total} {
			row.merge(g)
		}
	}

	rep := &Report{Deployment: q.Deployment, ByDay: q.ByDay, BestSingle: map[string]string{}, Method: SavingsMethod}
	if !q.Since.IsZero() {
		t := q.Since.UTC()
		rep.Since = &t
	}
	if !q.Until.IsZero() {
		t := q.Until.UTC()
		rep.Until = &t
	}
	for name, dep := range deployments {
		if best := dep.bestSingle(); best != "" {
			rep.BestSingle[name] = best
		}
	}
	for _, g := range groups {
		g.finish(rep.BestSingle[g.Deployment])
		rep.Rows = append(rep.Rows, *g)
	}
	slices.SortFunc(rep.Rows, func(a, b ReportRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Deployment, b.Deployment),
			cmp.Compare(b.CostUSD, a.CostUSD), cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Model, b.Model))
	})
	for name, dep := range deployments {
		dep.finish(rep.BestSingle[name])
		rep.Deployments = append(rep.Deployments, *dep)
	}
	slices.SortFunc(rep.Deployments, func(a, b ReportRow) int { return cmp.Compare(a.Deployment, b.Deployment) })
	// The grand total's best-single cost is the sum over deployments: each
	// deployment has its own subset and so its own best single model.
	total.finish("")
	total.BestSingleUSD, total.BestSingleQuality = 0, 0
	var bestQ float64
	for _, dep := range rep.Deployments {
		total.BestSingleUSD += dep.BestSingleUSD
		bestQ += dep.BestSingleQuality * float64(dep.Answered)
	}
	if total.Answered > 0 {
		total.BestSingleQuality = bestQ / float64(total.Answered)
	}
	total.SavingsBestSingle = total.BestSingleUSD - total.RoutedExpectedUSD
	rep.Total = *total
	if rep.Rows == nil {
		rep.Rows, rep.Deployments = []ReportRow{}, []ReportRow{}
	}
	return rep, nil
}

// logRow is the part of a decision row a report reads.
type logRow struct {
	tsMS                         int64
	deployment, chosen, answered string
	candidates                   string
	sent                         bool // see sentSQL
	answer                       bool // see hasAnswer
	status                       int
	errorCode                    string
	failedOver                   sql.NullString // see failedOverSQL
	usage                        router.Usage
	cost                         sql.NullFloat64
}

// sentSQL is true for a decisions row whose request went out to a
// provider: a model answered, or some attempt was sent (whatever came back:
// a status, a dropped connection, a client that left meanwhile). A dry run
// (POST /v1/route), a call refused at capacity, or one whose attempts all
// ended before sending (not_sent: a translation that cannot carry the
// request, a provider asked to wait) was decided but cost nothing and
// could have cost nothing else. Logs written before attempts said not_sent
// count every attempt as sent, and an attempts column that is not a JSON
// array counts as sent too: it was written by something that sent it. The
// report and the timeline both read it here, in SQL, so that they count
// the same requests and the timeline can still aggregate in SQLite.
const sentSQL = `(answered <> '' OR CASE
	WHEN trim(attempts, ' ' || char(9, 10, 13)) IN ('', '[]', 'null') THEN 0
	WHEN json_valid(attempts) AND json_type(attempts) = 'array' THEN EXISTS (
		SELECT 1 FROM json_each(decisions.attempts) AS a WHERE ` + attemptWentOutSQL + `)
	ELSE 1 END)`

// attemptWentOutSQL is true for the element a of a decisions row's attempts
// that was sent to its model: not marked not_sent (an element that is not
// an object, from a log no release wrote, counts as sent, as in sentSQL).
const attemptWentOutSQL = `(a.type <> 'object' OR json_type(a.value, '$.not_sent') IS NOT 'true')`

// failedOverSQL is a JSON array of the models a decisions row failed over
// from, as modelrouter_failovers_total counts them: attempts before the
// last that went out to a model (which failed, or the next would not have
// been tried), one entry each, in order. A model skipped without being
// asked (not_sent) did not fail, though fallbacks_tried counts it. It is
// NULL for a row with fewer than two attempts, nearly every row, so the
// report parses nothing for those; an element without a model name (from
// a log no release wrote) is null. An attempts column that is not a JSON
// array (no release writes one) names no model that failed, so it counts
// none, and neither does its fallbacks_tried.
const failedOverSQL = `(CASE
	WHEN json_valid(attempts) AND json_type(attempts) = 'array' AND json_array_length(attempts) > 1 THEN (
		SELECT json_group_array(CASE WHEN a.type = 'object' AND json_type(a.value, '$.model') = 'text'
			THEN json_extract(a.value, '$.model') END)
		FROM json_each(decisions.attempts) AS a
		WHERE a.key < json_array_length(decisions.attempts) - 1 AND ` + attemptWentOutSQL + `)
	END)`

// failedModels are the models the row failed over from (see
// failedOverSQL); "" for an attempt that named none.
func (r *logRow) failedModels() ([]string, error) {
	if !r.failedOver.Valid || r.failedOver.String == "[]" {
		return nil, nil
	}
	var models []string
	if err := json.Unmarshal([]byte(r.failedOver.String), &models); err != nil {
		return nil, fmt.Errorf("decision at %d: attempts: %w", r.tsMS, err)
	}
	return models, nil
}

func (r *logRow) model() string {
	return cmp.Or(r.answered, r.chosen, "none")
}

// candidate is the part of a logged router.Candidate a report reads;
// leaving out the reason text saves most of the decoding time.
type candidate struct {
	Model        string  `json:"model"`
	Eligible     bool    `json:"eligible"`
	Quality      float64 `json:"predicted_quality"`
	ExpectedCost float64 `json:"expected_cost_usd"`
}

// routed is what the router decided for one request, from its candidates.
type routed struct {
	ok bool // false when nothing was chosen among priced candidates
	// chosen is what routing paid for: the model that answered (after
	// failing over, a later one than the router chose first, and the one
	// that billed), else the one chosen.
	chosen    candidate
	strongest candidate
	eligible  []candidate
}

func (r *logRow) decision() (routed, error) {
	var cands []candidate
	if r.candidates != "" {
		var err error
		if cands, err = reportCandidates(r.candidates); err != nil {
			return routed{}, fmt.Errorf("decision at %d: candidates: %w", r.tsMS, err)
		}
	}
	var d routed
	answeredFound := false
	for _, c := range cands {
		if !c.Eligible {
			continue
		}
		d.eligible = append(d.eligible, c)
		switch {
		case r.answered != "" && c.Model == r.answered:
			d.chosen, d.ok, answeredFound = c, true, true
		case c.Model == r.chosen && !answeredFound:
			d.chosen, d.ok = c, true
		}
		if len(d.eligible) == 1 || c.Quality > d.strongest.Quality ||
			(c.Quality == d.strongest.Quality && c.ExpectedCost < d.strongest.ExpectedCost) {
			d.strongest = c
		}
	}
	return d, nil
}

func (row *ReportRow) add(r *logRow, d routed) {
	row.Requests++
	if r.status >= 400 || r.errorCode != "" {
		row.Errors++
	}
	row.PromptTokens += int64(r.usage.PromptTokens)
	row.CompletionTokens += int64(r.usage.CompletionTokens)
	row.ReasoningTokens += int64(r.usage.ReasoningTokens)
	row.CachedTokens += int64(r.usage.CachedTokens)
	s := row.sums
	s.Cost.add(r.cost.Float64)
	if !d.ok || !r.sent {
		return
	}
	row.Routed++
	if !r.answer {
		return
	}
	row.Answered++
	s.RoutedExpected.add(d.chosen.ExpectedCost)
	s.RoutedQ.add(d.chosen.Quality)
	s.Strongest.add(d.strongest.ExpectedCost)
	s.StrongestQ.add(d.strongest.Quality)
	if s.ByModel == nil {
		s.ByModel = map[string]*modelSums{}
	}
	for _, c := range d.eligible {
		m := s.ByModel[c.Model]
		if m == nil {
			m = &modelSums{}
			s.ByModel[c.Model] = m
		}
		m.N++
		m.Cost.add(c.ExpectedCost)
		m.Quality.add(c.Quality)
		m.RoutedCost.add(d.chosen.ExpectedCost)
		m.RoutedQ.add(d.chosen.Quality)
	}
}

// merge adds o's counts and sums to row's.
func (row *ReportRow) merge(o *ReportRow) {
	row.Requests += o.Requests
	row.Errors += o.Errors
	row.Failovers += o.Failovers
	row.PromptTokens += o.PromptTokens
	row.CompletionTokens += o.CompletionTokens
	row.ReasoningTokens += o.ReasoningTokens
	row.CachedTokens += o.CachedTokens
	row.Routed += o.Routed
	row.Answered += o.Answered
	s, os := row.sums, o.sums
	for _, p := range [][2]*exactSum{{&s.Cost, &os.Cost}, {&s.RoutedExpected, &os.RoutedExpected},
		{&s.RoutedQ, &os.RoutedQ}, {&s.Strongest, &os.Strongest}, {&s.StrongestQ, &os.StrongestQ}} {
		p[0].merge(*p[1])
	}
	for name, om := range os.ByModel {
		if s.ByModel == nil {
			s.ByModel = map[string]*modelSums{}
		}
		m := s.ByModel[name]
		if m == nil {
			m = &modelSums{}
			s.ByModel[name] = m
		}
		m.N += om.N
		m.Cost.merge(om.Cost)
		m.Quality.merge(om.Quality)
		m.RoutedCost.merge(om.RoutedCost)
		m.RoutedQ.merge(om.RoutedQ)
	}
}

// bestSingle picks the model with the highest mean predicted quality among
// those eligible for at least half of the row's answered requests: a model
// that could serve only a few requests is no "always use it" alternative.
func (row *ReportRow) bestSingle() string {
	best, bestQ := "", -1.0
	for name, s := range row.sums.ByModel {
		if 2*s.N < row.Answered {
			continue
		}
		q := s.Quality.value() / float64(s.N)
		if q > bestQ || (q == bestQ && name < best) {
			best, bestQ = name, q
		}
	}
	return best
}

// finish turns sums into totals and means and prices the best-single
// counterfactual: requests where that model was eligible take its cost
// and quality, the others keep the routed ones.
func (row *ReportRow) finish(bestSingle string) {
	s := row.sums
	row.CostUSD = s.Cost.value()
	row.RoutedExpectedUSD, row.StrongestUSD = s.RoutedExpected.value(), s.Strongest.value()
	routedQ := s.RoutedQ.value()
	row.BestSingleUSD, row.BestSingleQuality = row.RoutedExpectedUSD, routedQ
	if m := s.ByModel[bestSingle]; m != nil {
		row.BestSingleUSD += m.Cost.value() - m.RoutedCost.value()
		row.BestSingleQuality += m.Quality.value() - m.RoutedQ.value()
	}
	row.SavingsStrongest = row.StrongestUSD - row.RoutedExpectedUSD
	row.SavingsBestSingle = row.BestSingleUSD - row.RoutedExpectedUSD
	if row.Answered > 0 {
		n := float64(row.Answered)
		row.RoutedQuality = routedQ / n
		row.StrongestQuality = s.StrongestQ.value() / n
		row.BestSingleQuality /= n
	} else {
		row.BestSingleQuality = 0
	}
	row.sums = nil
}

// TimelineQuery selects decisions and the bucket width of a timeline.
type TimelineQuery struct {
	Range
	// Bucket is the width of one time step (at least one minute).
	Bucket time.Duration
}

// MaxTimelineBuckets bounds a timeline so a dashboard request cannot ask
// for millions of points.
const MaxTimelineBuckets = 5000

// TimelinePoint is one model's traffic in one time bucket: the requests
// sent to it (see [Reports.Timeline]).
type TimelinePoint struct {
	Start time.Time `json:"start"`
	// Model is the model that answered, else the one chosen (as in the
	// report's rows), else "none" for a row that names neither.
	Model    string  `json:"model"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Tokens   int64   `json:"tokens"`
	CostUSD  float64 `json:"cost_usd"`
	DecideMS float64 `json:"mean_decide_ms"`
}

// bucketStart is where a timeline point starts: its bucket's start, aligned
// to the Unix epoch (whole hours and UTC days for the dashboard's steps),
// but never before the range's since. The first bucket is cut by since:
// labelled at its aligned start it would show the traffic before the
// range began, and a bucket wider than the range (bucket=100y) at 1970.
func bucketStart(startMS int64, since time.Time) time.Time {
	start := time.UnixMilli(startMS).UTC()
	if !since.IsZero() && start.Before(since) {
		return since.UTC()
	}
	return start
}

// Timeline returns requests, tokens and cost per time bucket and model,
// ordered by time then model: the routing distribution and cost over time.
//
// It counts only requests sent to a provider, those the report counts as
// routed (sentSQL): dry runs (POST /v1/route), calls refused at capacity or
// before routing, and calls whose every attempt ended before sending are
// left out. The dashboard draws these points as each model's share of the
// traffic and its cost; a dry run would show as traffic to a model that
// never saw the request, and the playground's "Decide only" would skew the
// share towards whatever it picks. Left out rather than shown apart: they
// cost nothing and use no model, and the report's request and error counts
// (drawn next to the charts) still include them.
func (rp *Reports) Timeline(ctx context.Context, q TimelineQuery) ([]TimelinePoint, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Bucket < time.Minute {
		return nil, router.Errorf(router.EInvalid, "bucket %s is shorter than one minute", q.Bucket)
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Sub(q.Since)/q.Bucket > MaxTimelineBuckets {
		return nil, router.Errorf(router.EInvalid, "%s in buckets of %s is more than %d points; widen the bucket",
			q.Until.Sub(q.Since), q.Bucket, MaxTimelineBuckets)
	}
	where, args, err := rp.where(ctx, q.Range)
	if err != nil {
		return nil, err
	}
	if where == "" {
		where = " WHERE " + sentSQL
	} else {
		where += " AND " + sentSQL
	}
	width := q.Bucket.Milliseconds()
	rows, err := rp.db.QueryContext(ctx, `SELECT (ts_ms / ?) * ? AS bucket,
		coalesce(nullif(answered, ''), nullif(chosen, ''), 'none') AS model,
		count(*), total(status >= 400 OR error_code <> ''), total(prompt_tokens + completion_tokens),
		total(cost_usd), coalesce(avg(nullif(decide_ms, 0)), 0)
		FROM decisions`+where+` GROUP BY bucket, model ORDER BY bucket, model`, append([]any{width, width}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	points := []TimelinePoint{}
	for rows.Next() {
		var p TimelinePoint
		var startMS int64
		var errs, tokens float64
		if err := rows.Scan(&startMS, &p.Model, &p.Requests, &errs, &tokens, &p.CostUSD, &p.DecideMS); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		if len(points) >= MaxTimelineBuckets*8 {
			return nil, router.Errorf(router.EInvalid, "timeline has more than %d points; narrow the range or widen the bucket", MaxTimelineBuckets*8)
		}
		p.Start, p.Errors, p.Tokens = bucketStart(startMS, q.Since), int64(errs), int64(tokens)
		points = append(points, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return points, nil
}
