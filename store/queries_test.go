package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// exampleQuery is one query of queries_example.sql.
type exampleQuery struct{ name, sql string }

// readExampleQueries splits queries_example.sql at its "-- name:" lines.
func readExampleQueries(t *testing.T) []exampleQuery {
	t.Helper()
	body, err := os.ReadFile("queries_example.sql")
	require.NoError(t, err)
	var out []exampleQuery
	for _, block := range strings.Split(string(body), "-- name: ")[1:] {
		name, query, ok := strings.Cut(block, "\n")
		require.True(t, ok, "query %q has no body", name)
		out = append(out, exampleQuery{name: strings.TrimSpace(name), sql: query})
	}
	require.NotEmpty(t, out)
	return out
}

// runExample runs the example query named name on s.
func runExample(t *testing.T, s *store.Store, name string) []map[string]any {
	t.Helper()
	for _, q := range readExampleQueries(t) {
		if q.name == name {
			return queryRows(t, s, q.sql)
		}
	}
	t.Fatalf("queries_example.sql has no query %q", name)
	return nil
}

// queryRows runs q and returns its rows as column -> value maps.
func queryRows(t *testing.T, s *store.Store, q string) []map[string]any {
	t.Helper()
	rows, err := s.DB().Query(q)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := map[string]any{}
		for i, c := range cols {
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return out
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	t.Fatalf("not a number: %#v", v)
	return 0
}

// populateForExamples logs six requests in the last hour: mini answers
// three, large two (one after mini failed), one fails on both; three
// answers have feedback.
func populateForExamples(t *testing.T) *store.Store {
	s := MustOpen(t)
	base := time.Now().UTC().Add(-time.Hour)
	answer := func(id, chosen, answered string, cost float64, attempts ...router.Attempt) router.Record {
		r := sampleRecord(id, base)
		r.Decision.ChosenID, r.Answered, r.CostUSD, r.Attempts = chosen, answered, cost, attempts
		if answered == "" {
			r.Status, r.ErrorCode = 502, router.EUpstream
		}
		return r
	}
	ok := func(m string) router.Attempt { return router.Attempt{Model: m, Status: 200} }
	failed := func(m string, status int) router.Attempt {
		return router.Attempt{Model: m, Status: status, Error: "upstream error"}
	}
	withID := func(a router.Attempt, id string) router.Attempt {
		a.UpstreamRequestID = id
		return a
	}
	recs := []router.Record{
		answer("e0", "mini", "mini", 0.001, ok("mini")),
		answer("e1", "mini", "mini", 0.001, ok("mini")),
		answer("e2", "mini", "large", 0.004, withID(failed("mini", 503), "req_011CSHVEp6GbhnAjg5QmVeMz"), withID(ok("large"), "req_other")),
		answer("e3", "large", "large", 0.004, ok("large")),
		answer("e4", "mini", "mini", 0.001, ok("mini")),
		answer("e5", "large", "", 0, failed("large", 502), failed("mini", 502)),
	}
	for i := range recs {
		recs[i].Time = base.Add(time.Duration(i) * time.Minute)
	}
	ctx := context.Background()
	_, ci, err := s.CreateKey(ctx, "ci-pipeline")
	require.NoError(t, err)
	recs[0].KeyID, recs[3].KeyID = ci.ID, ci.ID
	// Two calls of one trace (an agent's turns), one of another.
	recs[4].TraceID, recs[2].TraceID = "4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"
	recs[3].TraceID = "0af7651916cd43dd8448eb211c80319c"
	logged(t, s, recs...)
	require.NoError(t, s.AddFeedback(ctx, "e0", 1, "good", ""))
	require.NoError(t, s.AddFeedback(ctx, "e1", 0, "bad", "wrong answer"))
	require.NoError(t, s.AddFeedback(ctx, "e2", 0.5, "", ""))
	return s
}

// The README says its example queries are also in queries_example.sql, and
// a user copies them from the README: each must be the file's query, the
// one this package's tests run, not an older copy.
func TestExampleQueriesAreTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, q := range readExampleQueries(t) {
		var lines []string
		for _, line := range strings.Split(q.sql, "\n") {
			if !strings.HasPrefix(line, "--") {
				lines = append(lines, line)
			}
		}
		sql := strings.TrimSpace(strings.Join(lines, "\n"))
		assert.True(t, strings.Contains(string(readme), "```sql\n"+sql+"\n```"),
			"README's Example queries have no copy of query %q as queries_example.sql has it:\n%s", q.name, sql)
	}
}

func TestExampleQueriesRunAndAnswerCorrectly(t *testing.T) {
	s := populateForExamples(t)
	checks := map[string]func(t *testing.T, rows []map[string]any){
		"recent-decisions": func(t *testing.T, rows []map[string]any) {
			require.Len(t, rows, 6)
			assert.Equal(t, "e5", rows[0]["request_id"], "newest first")
		},
		"traffic-and-cost-per-model": func(t *testing.T, rows []map[string]any) {
			got := map[string]float64{}
			var pctRequests, pctCost float64
			for _, r := range rows {
				got[r["model"].(string)] = num(t, r["requests"])
				pctRequests += num(t, r["pct_requests"])
				pctCost += num(t, r["pct_cost"])
			}
			assert.Equal(t, map[string]float64{"mini": 3, "large": 2, "(none)": 1}, got)
			assert.InDelta(t, 100, pctRequests, 0.2)
			assert.InDelta(t, 100, pctCost, 0.2)
			assert.InDelta(t, 0.008, num(t, rows[1]["cost_usd"]), 1e-9, "large: two answers at $0.004")
		},
		"failovers": func(t *testing.T, rows []map[string]any) {
			var got []string
			for _, r := range rows {
				got = append(got, r["request_id"].(string)+"/"+r["model"].(string))
			}
			assert.Equal(t, []string{"e5/large", "e5/mini", "e2/mini", "e2/large"}, got)
		},
		"call-by-provider-request-id": func(t *testing.T, rows []map[string]any) {
			require.Len(t, rows, 1, "the one attempt the id names")
			assert.Equal(t, "e2", rows[0]["request_id"])
			assert.Equal(t, "mini", rows[0]["model"], "the failed attempt, not the one after it")
			assert.Equal(t, 1.0, num(t, rows[0]["attempt"]))
			assert.Equal(t, 503.0, num(t, rows[0]["attempt_status"]))
		},
		"calls-of-a-trace": func(t *testing.T, rows []map[string]any) {
			var got []string
			for _, r := range rows {
				got = append(got, r["request_id"].(string))
			}
			assert.Equal(t, []string{"e2", "e4"}, got, "the trace's two calls, oldest first")
			assert.Contains(t, rows[0]["attempts"], "req_011CSHVEp6GbhnAjg5QmVeMz", "with their attempts")
		},
		"failover-rate-per-model": func(t *testing.T, rows []map[string]any) {
			got := map[string][2]float64{}
			for _, r := range rows {
				got[r["chosen"].(string)] = [2]float64{num(t, r["requests"]), num(t, r["failed_over"])}
			}
			assert.Equal(t, map[string][2]float64{"mini": {4, 1}, "large": {2, 1}}, got)
		},
		"candidates-of-latest-request": func(t *testing.T, rows []map[string]any) {
			require.Len(t, rows, 2)
			assert.Equal(t, "mini", rows[0]["model"], "the chosen candidate (rank 1) comes first")
			assert.InDelta(t, 0.89, num(t, rows[0]["quality"]), 1e-9)
		},
		"feedback-per-model": func(t *testing.T, rows []map[string]any) {
			got := map[string][2]float64{}
			for _, r := range rows {
				got[r["model"].(string)] = [2]float64{num(t, r["rated"]), num(t, r["avg_score"])}
			}
			assert.Equal(t, map[string][2]float64{"mini": {2, 0.5}, "large": {1, 0.5}}, got)
		},
		"latest-feedback": func(t *testing.T, rows []map[string]any) {
			assert.Len(t, rows, 3)
		},
		"spend-per-key": func(t *testing.T, rows []map[string]any) {
			got := map[string][2]float64{}
			for _, r := range rows {
				got[r["client_key"].(string)] = [2]float64{num(t, r["requests"]), num(t, r["cost_usd"])}
			}
			var ciKey string
			for name := range got {
				if strings.HasPrefix(name, "ci-pipeline (key_") {
					ciKey = name // the key's name and id: names need not be unique
				}
			}
			assert.Equal(t, map[string][2]float64{ciKey: {2, 0.005}, "(no key)": {4, 0.006}}, got)
		},
		"hourly-latency-and-errors": func(t *testing.T, rows []map[string]any) {
			var requests, errors float64
			for _, r := range rows {
				requests += num(t, r["requests"])
				errors += num(t, r["errors"])
			}
			assert.Equal(t, 6.0, requests)
			assert.Equal(t, 1.0, errors)
		},
	}
	queries := readExampleQueries(t)
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			check, ok := checks[q.name]
			require.True(t, ok, "add a check for the example query %q", q.name)
			check(t, queryRows(t, s, q.sql))
		})
	}
	assert.Len(t, queries, len(checks), "every check has its query")
}
