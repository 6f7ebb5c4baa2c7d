package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

func TestLogBurstFromManyGoroutinesLosesNothing(t *testing.T) {
	const goroutines, perGoroutine = 50, 100
	tests := []struct {
		name string
		opts []store.Option
	}{
		{"default buffer", nil},
		// A channel far smaller than the burst sends most rows through the
		// overflow list.
		{"tiny buffer", []store.Option{store.WithLogBuffer(8), store.WithBatchSize(32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "burst.db")
			s, err := store.Open(path, tt.opts...)
			require.NoError(t, err)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						s.Log().Record(sampleRecord(requestID(g*perGoroutine+i), sampleTime))
					}
				})
			}
			wg.Wait()
			require.NoError(t, s.Close())
			stats := s.Log().Stats()
			assert.EqualValues(t, goroutines*perGoroutine, stats.Recorded)
			assert.EqualValues(t, goroutines*perGoroutine, stats.Written)
			assert.Zero(t, stats.Failed)
			assert.Zero(t, stats.Pending())

			s, err = store.Open(path)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, goroutines*perGoroutine, countDecisions(t, s))
		})
	}
}

// holdWriteLock takes the database's write lock from a second connection,
// as a `sqlite3` session with an open write transaction would, and returns
// the function that releases it.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite3", path+"?_txlock=immediate")
	require.NoError(t, err)
	tx, err := other.Begin()
	require.NoError(t, err)
	var once sync.Once
	release = func() {
		once.Do(func() {
			require.NoError(t, tx.Rollback())
			require.NoError(t, other.Close())
		})
	}
	t.Cleanup(release)
	return release
}

func TestRecordDoesNotBlockWhileWriterIsStalled(t *testing.T) {
	const n = 1000
	path := filepath.Join(t.TempDir(), "stalled.db")
	s, err := store.Open(path, store.WithLogBuffer(4), store.WithBusyTimeout(time.Minute))
	require.NoError(t, err)
	release := holdWriteLock(t, path)

	recorded := make(chan struct{})
	go func() {
		for i := range n {
			s.Log().Record(sampleRecord(requestID(i), sampleTime))
		}
		close(recorded)
	}()
	select {
	case <-recorded:
	case <-time.After(20 * time.Second): // a liveness guard, not a speed check
		t.Fatal("Record blocked while the writer waited for the database lock")
	}
	stats := s.Log().Stats()
	assert.Zero(t, stats.Written, "the writer should still be waiting for the lock")
	assert.Positive(t, stats.Overflowed, "rows beyond the 4-slot channel go to the overflow list")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Log().Flush(ctx), context.DeadlineExceeded, "Flush cannot finish while the writer is stalled")

	release()
	require.NoError(t, s.Close())
	assert.EqualValues(t, n, s.Log().Stats().Written)

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, n, countDecisions(t, s))
}

func TestFlushCommitsEverythingRecordedBefore(t *testing.T) {
	s := MustOpen(t, store.WithLogBuffer(16))
	for round := 1; round <= 3; round++ {
		for i := range 100 {
			s.Log().Record(sampleRecord(fmt.Sprintf("r%d-%d", round, i), sampleTime))
		}
		require.NoError(t, s.Log().Flush(context.Background()))
		assert.Equal(t, round*100, countDecisions(t, s))
	}
}

// TestCommitIntervalGathersRows: rows recorded within the commit interval
// share one transaction, and neither Flush nor Close waits the interval out.
func TestCommitIntervalGathersRows(t *testing.T) {
	for _, end := range []string{"flush", "close"} {
		t.Run(end, func(t *testing.T) {
			s := MustOpen(t, store.WithCommitInterval(time.Hour))
			for i := range 100 {
				s.Log().Record(sampleRecord(fmt.Sprintf("%s-%d", end, i), sampleTime))
			}
			if end == "flush" {
				require.NoError(t, s.Log().Flush(context.Background()))
				assert.Equal(t, 100, countDecisions(t, s))
			} else {
				require.NoError(t, s.Close())
			}
			stats := s.Log().Stats()
			assert.EqualValues(t, 100, stats.Written)
			assert.EqualValues(t, 1, stats.Commits, "one transaction for the 100 rows")
		})
	}
}

func TestRecordAfterCloseIsRejectedNotPanicking(t *testing.T) {
	s := MustOpen(t)
	require.NoError(t, s.Close())
	s.Log().Record(sampleRecord("late", sampleTime))
	stats := s.Log().Stats()
	assert.EqualValues(t, 1, stats.Rejected)
	assert.Zero(t, stats.Recorded)
	assert.NoError(t, s.Log().Flush(context.Background()), "Flush after Close has nothing left to wait for")
	assert.NoError(t, s.Log().Close(context.Background()), "closing the log twice is fine")
	assert.NoError(t, s.Close(), "closing the store twice is fine")
}

func TestDuplicateRequestIDKeepsTheFirstRow(t *testing.T) {
	s := MustOpen(t)
	first, second := sampleRecord("same", sampleTime), sampleRecord("same", sampleTime)
	second.Answered = "large"
	logged(t, s, first, second, sampleRecord("other", sampleTime))

	rows, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "mini", rows[1].Answered)
	stats := s.Log().Stats()
	assert.EqualValues(t, 2, stats.Written)
	assert.EqualValues(t, 1, stats.Duplicates)
	assert.Zero(t, stats.Pending())
}

func TestRecordWithZeroTimeUsesStoreClock(t *testing.T) {
	s := MustOpen(t)
	s.Now = func() time.Time { return sampleTime }
	logged(t, s, sampleRecord("no-time", time.Time{}))
	rows, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.True(t, rows[0].Time.Equal(sampleTime), "got %v", rows[0].Time)
}

func TestDecisionRoundTrip(t *testing.T) {
	s := MustOpen(t)
	in := sampleRecord("full", sampleTime)
	in.Stream = true
	in.PromptText = "What is 2+2?"
	in.Decision.Affinity = true
	in.Decision.Propensity = 0.25
	in.Attempts = []router.Attempt{
		{Model: "mini", Status: 503, Error: "overloaded", Latency: 30 * time.Millisecond},
		{Model: "large", Status: 200, Latency: 90 * time.Millisecond},
	}
	in.Answered = "large"
	in.Usage.ReasoningTokens = 12
	in.ErrorCode = ""
	bare := sampleRecord("bare", sampleTime.Add(time.Second))
	bare.Attempts, bare.Decision.Candidates, bare.PromptText = nil, nil, ""
	// A broken prediction must not cost the row: non-finite numbers are
	// stored as 0 because JSON cannot hold them.
	bare.Decision.Candidates = []router.Candidate{{Model: "mini", Quality: math.NaN(), ExpectedCost: math.Inf(1)}}
	logged(t, s, in, bare)

	rows, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	got := rows[0]
	assert.Equal(t, in.RequestID, got.RequestID)
	assert.True(t, got.Time.Equal(in.Time), "time %v != %v", got.Time, in.Time)
	assert.Equal(t, in.Decision.Deployment, got.Deployment)
	assert.Equal(t, in.Decision.Mode, got.Mode)
	assert.Equal(t, in.Decision.RouterVersion, got.RouterVersion)
	assert.Equal(t, in.RouterModel, got.RouterModel)
	assert.Equal(t, in.API, got.API)
	assert.True(t, got.Stream)
	assert.Equal(t, in.PromptHash, got.PromptHash)
	assert.Equal(t, in.PromptText, got.PromptText)
	assert.Equal(t, in.Decision.Candidates, got.Candidates)
	assert.Equal(t, "mini", got.Chosen)
	assert.Equal(t, "large", got.Answered)
	assert.InDelta(t, 0.25, got.Propensity, 1e-12)
	assert.True(t, got.Affinity)
	assert.InDelta(t, in.Decision.BestQuality, got.BestQuality, 1e-12)
	assert.InDelta(t, in.Decision.Threshold, got.Threshold, 1e-12)
	assert.Equal(t, in.Attempts, got.Attempts)
	assert.Equal(t, 1, got.FallbacksTried)
	assert.Equal(t, 200, got.Status)
	assert.Equal(t, in.Usage, got.Usage)
	assert.InDelta(t, in.CostUSD, got.CostUSD, 1e-15)
	assert.InDelta(t, 1.5, got.DecideMS, 1e-9)
	assert.InDelta(t, 80, got.FirstByteMS, 1e-9)
	assert.InDelta(t, 125, got.TotalMS, 1e-9)
	assert.Nil(t, got.Feedback)

	b := rows[1]
	assert.Empty(t, b.PromptText)
	assert.Empty(t, b.Attempts)
	assert.Zero(t, b.FallbacksTried)
	require.Len(t, b.Candidates, 1)
	assert.Zero(t, b.Candidates[0].Quality)
	assert.Zero(t, b.Candidates[0].ExpectedCost)

	var promptIsNull bool
	require.NoError(t, s.DB().QueryRow(`SELECT prompt_text IS NULL FROM decisions WHERE request_id = 'bare'`).Scan(&promptIsNull))
	assert.True(t, promptIsNull, "an unkept prompt is NULL, not ''")
}

func TestDecisionsFilter(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var recs []router.Record
	for i := range 6 {
		r := sampleRecord(fmt.Sprintf("f%d", i), t0.Add(time.Duration(i)*time.Hour))
		if i%2 == 1 {
			r.Decision.Deployment = "other"
		}
		if i == 5 {
			r.Answered, r.Status, r.ErrorCode = "", 502, router.EUpstream
		}
		recs = append(recs, r)
	}
	logged(t, s, recs...)
	require.NoError(t, s.AddFeedback(ctx, "f2", 1, "good", ""))

	tests := []struct {
		name   string
		filter store.DecisionFilter
		want   []string
	}{
		{"all, oldest first", store.DecisionFilter{}, []string{"f0", "f1", "f2", "f3", "f4", "f5"}},
		{"since inclusive, until exclusive", store.DecisionFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []string{"f1", "f2"}},
		{"deployment", store.DecisionFilter{Deployment: "other"}, []string{"f1", "f3", "f5"}},
		{"limit", store.DecisionFilter{Limit: 2}, []string{"f0", "f1"}},
		{"answered only", store.DecisionFilter{Deployment: "other", Answered: true}, []string{"f1", "f3"}},
		{"with feedback", store.DecisionFilter{WithFeedback: true}, []string{"f2"}},
		{"nothing matches", store.DecisionFilter{Deployment: "missing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.Decisions(ctx, tt.filter)
			require.NoError(t, err)
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.RequestID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}

	_, err := s.Decisions(ctx, store.DecisionFilter{Limit: -1})
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
}

func TestEachDecisionStopsOnCallbackError(t *testing.T) {
	s := MustOpen(t)
	logged(t, s, sampleRecord("a", sampleTime), sampleRecord("b", sampleTime), sampleRecord("c", sampleTime))
	stop := fmt.Errorf("enough")
	seen := 0
	err := s.EachDecision(context.Background(), store.DecisionFilter{}, func(store.DecisionRow) error {
		seen++
		return stop
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, seen)
}

// BenchmarkRecord measures what a request pays to log its decision, while
// the writer commits on the other core.
func BenchmarkRecord(b *testing.B) {
	s := MustOpen(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := sampleRecord("", sampleTime)
		for pb.Next() {
			r.RequestID = strconv.FormatInt(next.Add(1), 36)
			s.Log().Record(r)
		}
	})
	b.StopTimer()
	require.NoError(b, s.Log().Flush(context.Background()))
}

// BenchmarkLogThroughput measures rows committed per second: Record plus
// the writer's batched inserts, until the last row is durable in the WAL.
func BenchmarkLogThroughput(b *testing.B) {
	s := MustOpen(b)
	b.ResetTimer()
	for i := range b.N {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	require.NoError(b, s.Log().Flush(context.Background()))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestWriterRetriesWhileTheDatabaseIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "retry.db")
	s, err := store.Open(path, store.WithBusyTimeout(time.Millisecond))
	require.NoError(t, err)
	release := holdWriteLock(t, path)
	s.Log().Record(sampleRecord("waits", sampleTime))
	time.Sleep(50 * time.Millisecond) // let the first attempt fail on the lock
	release()
	require.NoError(t, s.Close())
	assert.EqualValues(t, 1, s.Log().Stats().Written)
	assert.Zero(t, s.Log().Stats().Failed)
}

// A row given up on (here: the database is locked and the held-rows limit
// takes no row) is reported once by the next Flush, and by Close.
func TestRowsGivenUpOnAreReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refused.db")
	s, err := store.Open(path, store.WithBusyTimeout(time.Millisecond), store.WithHeldLimit(1))
	require.NoError(t, err)
	holdWriteLock(t, path)
	s.Log().Record(sampleRecord("lost", sampleTime))
	err = s.Log().Flush(context.Background())
	require.Error(t, err, "Flush says rows were lost")
	assert.Contains(t, err.Error(), "1 records could not be written")
	assert.NoError(t, s.Log().Flush(context.Background()), "each loss is reported by one Flush")
	err = s.Close()
	require.Error(t, err, "Close says so too")
	assert.Contains(t, err.Error(), "could not be written")
	assert.EqualValues(t, 1, s.Log().Stats().Failed)
	assert.Zero(t, s.Log().Stats().Pending())
}

func TestPendingNeverWrapsAround(t *testing.T) {
	// Counters sampled while the writer runs: the row's write was counted,
	// its Record not yet.
	s := store.LogStats{Recorded: 3, Written: 3, Duplicates: 1}
	assert.Equal(t, uint64(0), s.Pending())
	assert.Equal(t, uint64(2), store.LogStats{Recorded: 5, Written: 2, Failed: 1}.Pending())
}
