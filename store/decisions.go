package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// decisionColumns are the decisions table's columns in the order
// decisionArgs and scanDecision use.
var decisionColumns = []string{
	"request_id", "ts", "ts_ms", "deployment", "mode", "router_version", "router_model", "api", "stream",
	"prompt_hash", "prompt_text", "candidates", "chosen", "answered", "propensity", "affinity",
	"best_quality", "threshold", "attempts", "fallbacks_tried", "status", "error_code",
	"prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens", "cost_usd",
	"decide_ms", "first_byte_ms", "total_ms", "response_id", "key_id", "usage_estimated", "answers",
	"previous_response_id", "trace_id",
}

// insertDecision skips a repeated request id instead of failing the whole
// batch it arrives in; the writer counts such rows as duplicates.
var insertDecision = "INSERT INTO decisions (" + strings.Join(decisionColumns, ", ") + ") VALUES (" +
	strings.TrimSuffix(strings.Repeat("?, ", len(decisionColumns)), ", ") + ") ON CONFLICT (request_id) DO NOTHING"

func decisionArgs(r router.Record) []any {
	var promptText any // NULL unless the operator keeps prompts
	if r.PromptText != "" {
		promptText = r.PromptText
	}
	fallbacks := max(len(r.Attempts)-1, 0)
	return []any{
		r.RequestID, formatTS(r.Time), r.Time.UnixMilli(), r.Decision.Deployment, string(r.Decision.Mode),
		r.Decision.RouterVersion, r.RouterModel, r.API, r.Stream,
		r.PromptHash, promptText, candidatesJSON(r.Decision.Candidates), r.Decision.ChosenID, r.Answered,
		r.Decision.Propensity, r.Decision.Affinity,
		r.Decision.BestQuality, r.Decision.Threshold, attemptsJSON(r.Attempts), fallbacks, r.Status, r.ErrorCode,
		r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Usage.ReasoningTokens, r.Usage.CachedTokens, r.CostUSD,
		optionalMillis(r.DecideLatency), optionalMillis(r.FirstByte), millis(r.Total), r.ResponseID, r.KeyID, r.UsageEstimated,
		max(r.Answers, 1), r.PreviousResponseID, r.TraceID,
	}
}

// candidatesJSON encodes the candidates. JSON has no NaN or infinity, and a
// row must not be lost to one bad prediction, so non-finite numbers are
// written as 0.
func candidatesJSON(cs []router.Candidate) string {
	if cs == nil {
		cs = []router.Candidate{}
	}
	// Copy only in the rare case there is something to clean.
	if slices.ContainsFunc(cs, func(c router.Candidate) bool {
		return finite(c.Quality) != c.Quality || finite(c.OutputTokens) != c.OutputTokens || finite(c.ExpectedCost) != c.ExpectedCost
	}) {
		clean := make([]router.Candidate, len(cs))
		for i, c := range cs {
			c.Quality, c.OutputTokens, c.ExpectedCost = finite(c.Quality), finite(c.OutputTokens), finite(c.ExpectedCost)
			clean[i] = c
		}
		cs = clean
	}
	buf := jsonBuffers.Get().(*[]byte)
	*buf = appendCandidates((*buf)[:0], cs)
	s := string(*buf)
	jsonBuffers.Put(buf)
	return s
}

func attemptsJSON(as []router.Attempt) string {
	buf := jsonBuffers.Get().(*[]byte)
	*buf = appendAttempts((*buf)[:0], as)
	s := string(*buf)
	jsonBuffers.Put(buf)
	return s
}

// jsonBuffers hold the JSON columns while they are encoded: a row's
// candidates are several kilobytes, and growing a fresh buffer for every
// row allocated three times what the column itself takes.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// DecisionRow is one logged decision with its outcome and feedback: the
// shape training reads to turn the log into examples (prompt, candidates'
// predictions, the model that answered, and the feedback score as label).
type DecisionRow struct {
	RequestID     string
	Time          time.Time
	Deployment    string
	Mode          router.Mode
	RouterVersion string
	RouterModel   string
	API           string
	Stream        bool
	PromptHash    string
	// PromptText is empty unless the server was configured to keep prompts.
	PromptText     string
	Candidates     []router.Candidate
	Chosen         string
	Answered       string
	Propensity     float64
	Affinity       bool
	BestQuality    float64
	Threshold      float64
	Attempts       []router.Attempt
	FallbacksTried int
	Status         int
	ErrorCode      string
	Usage          router.Usage
	CostUSD        float64
	DecideMS       float64
	FirstByteMS    float64
	TotalMS        float64
	// ResponseID is the Responses API answer's id ("" for other APIs).
	ResponseID string
	// KeyID is the client key's id ("" when none was needed).
	KeyID string
	// UsageEstimated: the provider reported no usage; Usage and CostUSD
	// are the gateway's estimate.
	UsageEstimated bool
	// Answers is how many answers the call asked for (Chat Completions'
	// n): Usage counts them all. 1 for other APIs and for rows logged
	// before the log kept it (migration 0011).
	Answers int
	// EndedStatus is how a Responses answer ended, a background job's
	// or any answer read back by id, as a read through the gateway first
	// found it (completed, incomplete, failed or cancelled); "" for other
	// APIs' calls, for an answer no read found over, and for rows logged
	// before the log kept it.
	EndedStatus string
	// PreviousResponseID is the answer a Responses call continued, as it
	// named it ("" for none, for other APIs and for rows logged before the
	// log kept it).
	PreviousResponseID string
	// TraceID is the W3C trace id of the call's traceparent ("" for a
	// call without a valid one and for rows logged before the log kept it).
	TraceID string
	// Feedback is nil when nobody rated the answer.
	Feedback *Feedback
}

// DecisionFilter selects decisions. Zero fields do not filter.
type DecisionFilter struct {
	Since, Until time.Time // Since inclusive, Until exclusive
	Deployment   string
	// Answered keeps only rows some model answered (see hasAnswer): a
	// provider's own refusal names the model in answered but is no answer.
	Answered bool
	// WithFeedback keeps only rows that have feedback.
	WithFeedback bool
	// Limit caps the rows returned (0: no cap).
	Limit int
	// ByPrompt brings together the rows of one deployment and prompt text
	// (prompt_text, NULL where not kept), each group where its oldest row
	// would come: the order of Decisions' oldest-first rows, with a
	// group's later rows moved up to its first. A reader that groups rows
	// by prompt (export-feedback) then holds one group at a time rather
	// than every prompt of the log until the end. The order is made in
	// memory, about 100 bytes a matching row, with no temporary disk
	// (eachDecisionByPrompt).
	ByPrompt bool
}

// Decisions returns the decisions that match f, each with its feedback.
func (s *Store) Decisions(ctx context.Context, f DecisionFilter) ([]DecisionRow, error) {
	var out []DecisionRow
	err := s.EachDecision(ctx, f, func(r DecisionRow) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// EachDecision calls fn for each decision that matches f, in order, without
// holding them all in memory (training reads large logs this way). An error
// from fn stops the walk and is returned.
func (s *Store) EachDecision(ctx context.Context, f DecisionFilter, fn func(DecisionRow) error) error {
	if f.Limit < 0 {
		return router.Errorf(router.EInvalid, "limit must not be negative, got %d", f.Limit)
	}
	if f.ByPrompt {
		return s.eachDecisionByPrompt(ctx, f, fn)
	}
	q, args := decisionQuery(f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("query decisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanDecision(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// decisionQuery is EachDecision's query for f in time order (ByPrompt
// reads in two steps instead: eachDecisionByPrompt).
func decisionQuery(f DecisionFilter) (string, []any) {
	q, args := decisionsMatching(f, decisionSelect)
	q += " ORDER BY d.ts_ms, d.ts, d.request_id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q, args
}

// decisionSelect is what scanDecision reads: a decision's columns and its
// feedback's (NULL where none), from d and f.
var decisionSelect = func() string {
	cols := make([]string, len(decisionColumns))
	for i, c := range decisionColumns {
		cols[i] = "d." + c
	}
	// ended_status is written after the row, when its job is found over
	// (NoteJobEnd), never by the insert.
	return strings.Join(cols, ", ") + ", d.ended_status, f.score, f.label, f.comment, f.ts"
}()

// decisionsMatching selects cols (of d, the decisions, and f, their
// feedback) of the rows that match f, in no order. Rows with feedback are
// read from the feedback table, joined to their decisions (CROSS JOIN
// keeps that order: SQLite would otherwise walk every decision in time
// order, the whole log, to find the few rated ones); the rest from
// decisions, with their feedback if any.
func decisionsMatching(f DecisionFilter, cols string) (string, []any) {
	from := "FROM decisions d LEFT JOIN feedback f ON f.request_id = d.request_id"
	if f.WithFeedback {
		from = "FROM feedback f CROSS JOIN decisions d ON d.request_id = f.request_id"
	}
	q := "SELECT " + cols + " " + from + " WHERE 1 = 1"
	var args []any
	if !f.Since.IsZero() {
		q += " AND d.ts_ms >= ?"
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		q += " AND d.ts_ms < ?"
		args = append(args, f.Until.UnixMilli())
	}
	if f.Deployment != "" {
		q += " AND d.deployment = ?"
		args = append(args, f.Deployment)
	}
	if f.Answered {
		q += " AND " + hasAnswer("d.")
	}
	return q, args
}

// scanDecision reads a row of decisionSelect, after the columns of lead
// where the query selects some before it.
func scanDecision(rows *sql.Rows, lead ...any) (DecisionRow, error) {
	var (
		r                                  DecisionRow
		ts, mode, candidates, attempts     string
		tsMS                               int64
		promptText                         sql.NullString
		propensity, bestQ, threshold, cost sql.NullFloat64
		decideMS, firstByteMS, totalMS     sql.NullFloat64
		fbScore                            sql.NullFloat64
		fbLabel, fbComment, fbTS           sql.NullString
	)
	err := rows.Scan(append(lead, &r.RequestID, &ts, &tsMS, &r.Deployment, &mode, &r.RouterVersion, &r.RouterModel, &r.API, &r.Stream,
		&r.PromptHash, &promptText, &candidates, &r.Chosen, &r.Answered, &propensity, &r.Affinity,
		&bestQ, &threshold, &attempts, &r.FallbacksTried, &r.Status, &r.ErrorCode,
		&r.Usage.PromptTokens, &r.Usage.CompletionTokens, &r.Usage.ReasoningTokens, &r.Usage.CachedTokens, &cost,
		&decideMS, &firstByteMS, &totalMS, &r.ResponseID, &r.KeyID, &r.UsageEstimated, &r.Answers,
		&r.PreviousResponseID, &r.TraceID, &r.EndedStatus,
		&fbScore, &fbLabel, &fbComment, &fbTS)...)
	if err != nil {
		return r, fmt.Errorf("scan decision: %w", err)
	}
	if r.Time, err = parseTS(ts); err != nil {
		return r, fmt.Errorf("decision %s: bad ts %q: %w", r.RequestID, ts, err)
	}
	r.Mode = router.Mode(mode)
	r.PromptText = promptText.String
	r.Propensity, r.BestQuality, r.Threshold, r.CostUSD = propensity.Float64, bestQ.Float64, threshold.Float64, cost.Float64
	r.DecideMS, r.FirstByteMS, r.TotalMS = decideMS.Float64, firstByteMS.Float64, totalMS.Float64
	if err := json.Unmarshal([]byte(candidates), &r.Candidates); err != nil {
		return r, fmt.Errorf("decision %s: bad candidates JSON: %w", r.RequestID, err)
	}
	if err := json.Unmarshal([]byte(attempts), &r.Attempts); err != nil {
		return r, fmt.Errorf("decision %s: bad attempts JSON: %w", r.RequestID, err)
	}
	if fbScore.Valid {
		fb := &Feedback{RequestID: r.RequestID, Score: fbScore.Float64, Label: fbLabel.String, Comment: fbComment.String}
		if fb.Time, err = parseTS(fbTS.String); err != nil {
			return r, fmt.Errorf("feedback %s: bad ts %q: %w", r.RequestID, fbTS.String, err)
		}
		r.Feedback = fb
	}
	return r, nil
}

// hasAnswer is the SQL condition (on a decisions row, its columns prefixed
// by table) for a row whose client got a model's answer, whole or in part:
// answered names a model, and the status is not a provider's own 4xx
// passed to the client (a refusal, no answer). A stream the client stopped
// (499), or that broke or was cut at shutdown after its first tokens (5xx),
// was an answer the client saw, and can be rated.
func hasAnswer(table string) string {
	return table + "answered <> '' AND (" + table + "status < 400 OR " + table + "status = 499 OR " + table + "status >= 500)"
}
