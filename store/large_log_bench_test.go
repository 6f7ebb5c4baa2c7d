package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// largeLog is a store holding n decision rows over the year before
// sampleTime, about 1.4 KB each as the gateway writes them (five
// candidates), a quarter of them made with key_busy, the rest spread over
// 100 other keys, one row in fifty rated. Rows go in through SQL: the
// decision log's writer would take minutes for a log of this size.
func largeLog(b *testing.B, n int) *store.Store {
	b.Helper()
	s := MustOpen(b)
	start := sampleTime.AddDate(-1, 0, 0).UnixMilli()
	step := sampleTime.UnixMilli() - start
	step /= int64(n)
	cand := `{"model":"gpt-5-mini","profile":"gemini-1.5-pro-exp-0827","eligible":true,"predicted_quality":0.677,` +
		`"predicted_output_tokens":812,"expected_cost_usd":0.00183,"rank":2,"reason":"cheapest in band"}`
	cands := "[" + cand + "," + cand + "," + cand + "," + cand + "," + cand + "]"
	_, err := s.DB().Exec(`
		WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < ?1 - 1)
		INSERT INTO decisions (request_id, ts, ts_ms, deployment, mode, router_version, router_model, api, stream,
			prompt_hash, candidates, chosen, answered, affinity, attempts, fallbacks_tried, status, error_code,
			prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd, total_ms, key_id)
		SELECT printf('%016x', (n * 2654435761) % 4294967296) || n, strftime('%Y-%m-%dT%H:%M:%S.000000000Z', (?2 + n * ?3) / 1000, 'unixepoch'),
			?2 + n * ?3, 'support', 'balanced', 'v3', 'rm', 'chat.completions', 0,
			printf('%064x', n), ?4, 'gpt-5-mini', 'gpt-5-mini', 0, '[{"model":"gpt-5-mini","status":200,"latency_ns":1}]', 0, 200, '',
			1000, 500, 0, 0, 0.001, 900, CASE WHEN n % 4 = 0 THEN 'key_busy' ELSE printf('key_%03d', n % 100) END
		FROM i`, n, start, step, cands)
	require.NoError(b, err)
	_, err = s.DB().Exec(`INSERT INTO feedback (request_id, score, label, comment, ts, ts_ms)
		SELECT request_id, 1, 'good', '', ts, ts_ms FROM decisions WHERE rowid % 50 = 0`)
	require.NoError(b, err)
	_, err = s.DB().Exec(`ANALYZE`) // as PRAGMA optimize leaves a served log
	require.NoError(b, err)
	return s
}

// BenchmarkKeySpendOfABusyKey adds up a total budget's spend, a key's
// every row: what a capped key's first call after a start waits for, and
// `keys list` for each capped key.
func BenchmarkKeySpendOfABusyKey(b *testing.B) {
	for _, n := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := largeLog(b, n)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				usd, err := s.KeySpend(ctx, "key_busy", time.Time{}, time.Time{})
				if err != nil || usd == 0 {
					b.Fatal(usd, err)
				}
			}
		})
	}
}

// BenchmarkExportRatedAnswers reads the rated answers as export-feedback
// does (by_prompt=true: the rows of one prompt together), and in time
// order, as it did while it held every prompt until the end. The rated
// rows have prompts of about 2 KB, as --keep-prompts logs them, a fifth of
// them asked before.
func BenchmarkExportRatedAnswers(b *testing.B) {
	for _, n := range []int{50_000, 200_000} {
		s := largeLog(b, n)
		_, err := s.DB().Exec(`UPDATE decisions SET prompt_text = printf('Question %d. ', IIF(rowid % 250 = 0, rowid / 250, rowid)) || ?
			WHERE request_id IN (SELECT request_id FROM feedback)`, strings.Repeat("Consider the following context carefully before answering. ", 35))
		require.NoError(b, err)
		for _, byPrompt := range []bool{false, true} {
			b.Run(fmt.Sprintf("rows=%d/by_prompt=%v", n, byPrompt), func(b *testing.B) {
				ctx := context.Background()
				for b.Loop() {
					rated := 0
					err := s.EachDecision(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: byPrompt}, func(store.DecisionRow) error {
						rated++
						return nil
					})
					if err != nil || rated != n/50 {
						b.Fatal(rated, err)
					}
				}
			})
		}
	}
}

// BenchmarkExportRatedAnswersLoggedInPairs reads 100,000 rated answers by
// prompt, as export-feedback does, logged each in a millisecond of its own
// or in pairs that share one, as on a busy gateway: ByPrompt reads the
// times and request ids of those rows to put them in order.
func BenchmarkExportRatedAnswersLoggedInPairs(b *testing.B) {
	const n = 100_000
	for _, pairs := range []bool{false, true} {
		s := largeLog(b, n)
		_, err := s.DB().Exec(`INSERT OR IGNORE INTO feedback (request_id, score, label, comment, ts, ts_ms)
			SELECT request_id, 1, 'good', '', ts, ts_ms FROM decisions`)
		require.NoError(b, err)
		if pairs {
			_, err = s.DB().Exec(`UPDATE decisions SET ts_ms = (SELECT p.ts_ms FROM decisions p WHERE p.rowid = decisions.rowid - 1)
				WHERE rowid % 2 = 0`)
			require.NoError(b, err)
		}
		b.Run(fmt.Sprintf("in_pairs=%v", pairs), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				rated := 0
				err := s.EachDecision(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error {
					rated++
					return nil
				})
				if err != nil || rated != n {
					b.Fatal(rated, err)
				}
			}
		})
	}
}

// BenchmarkReportOfTheWholeLog sums every row, as the report and the
// dashboard's table do over their range.
func BenchmarkReportOfTheWholeLog(b *testing.B) {
	for _, n := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := largeLog(b, n)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				rep, err := s.Reports().Report(ctx, store.ReportQuery{})
				if err != nil || rep.Total.Requests != int64(n) {
					b.Fatal(err)
				}
			}
		})
	}
}
