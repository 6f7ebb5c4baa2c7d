package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// MustOpen opens a store in a fresh temporary directory and closes it when
// the test ends (a test may close it earlier itself).
func MustOpen(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(filepath.Join(tb.TempDir(), "data", "modelrouter.db"), opts...)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s
}

// sampleRecord is a plausible logged request: model "mini" chosen over
// "large", answered on the first attempt.
func sampleRecord(id string, at time.Time) router.Record {
	return router.Record{
		RequestID:   id,
		Time:        at,
		API:         "chat.completions",
		PromptHash:  "sha256:" + id,
		RouterModel: "rm-test",
		Decision: router.Decision{
			Deployment: "model-router", RouterVersion: "2025-11-18", Mode: router.ModeBalanced,
			ChosenID: "mini", Propensity: 1, BestQuality: 0.9, Threshold: 0.882,
			Candidates: []router.Candidate{
				{Model: "large", Profile: "large", Eligible: true, Quality: 0.9, OutputTokens: 300, ExpectedCost: 0.004, Rank: 2, Reason: "lost"},
				{Model: "mini", Profile: "mini", Eligible: true, Quality: 0.89, OutputTokens: 250, ExpectedCost: 0.0004, Rank: 1, Reason: "chosen"},
			},
		},
		Answered:      "mini",
		Attempts:      []router.Attempt{{Model: "mini", Status: 200, Latency: 120 * time.Millisecond}},
		Status:        200,
		Usage:         router.Usage{PromptTokens: 40, CompletionTokens: 260, ReasoningTokens: 0, CachedTokens: 8},
		CostUSD:       0.00042,
		DecideLatency: 1500 * time.Microsecond,
		FirstByte:     80 * time.Millisecond,
		Total:         125 * time.Millisecond,
	}
}

func countDecisions(tb testing.TB, s *store.Store) int {
	tb.Helper()
	var n int
	require.NoError(tb, s.DB().QueryRow(`SELECT count(*) FROM decisions`).Scan(&n))
	return n
}

// logged records rows and waits until they are committed.
func logged(tb testing.TB, s *store.Store, rows ...router.Record) {
	tb.Helper()
	for _, r := range rows {
		s.Log().Record(r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(tb, s.Log().Flush(ctx))
}

// sampleTime is a fixed time with a sub-millisecond part, to catch
// precision lost on the way through the database.
var sampleTime = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func requestID(i int) string { return fmt.Sprintf("req-%05d", i) }
