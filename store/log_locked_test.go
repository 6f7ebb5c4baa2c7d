package store_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// openLockable opens a store whose writer meets a lock at once (1 ms busy
// timeout) and whose retry schedule for other failures is over at once,
// so every lock in these tests outlasts it. It returns the store and its
// file's path, for holdWriteLock once the test has its rows in place.
func openLockable(t *testing.T, opts ...store.Option) (*store.Store, string) {
	t.Helper()
	t.Cleanup(store.SetRetryDelays(time.Millisecond))
	path := filepath.Join(t.TempDir(), "locked.db")
	opts = append([]store.Option{store.WithBusyTimeout(time.Millisecond), store.WithCommitInterval(0),
		store.WithCloseTimeout(30 * time.Second)}, opts...)
	s, err := store.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

// openLocked is openLockable with the write lock then taken by another
// connection at once, as a `sqlite3` session left in `BEGIN IMMEDIATE` or
// a long backup does. It returns the store and the function that releases
// the lock.
func openLocked(t *testing.T, opts ...store.Option) (*store.Store, func()) {
	t.Helper()
	s, path := openLockable(t, opts...)
	return s, holdWriteLock(t, path)
}

// A lock is waited out like a full disk: the rows of that time are the
// calls' billing and what budgets add up, so they reach the file once the
// lock goes, in the order they were recorded, each once.
func TestRowsRecordedWhileTheDatabaseIsLockedAreWrittenOnceWhenItIsReleased(t *testing.T) {
	s, release := openLocked(t, store.WithBatchSize(16))
	const n = 200
	for i := 1; i <= n; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	err := s.Log().Flush(context.Background())
	require.Error(t, err, "Flush says the rows are not written yet")
	assert.Contains(t, err.Error(), "200 records held in memory")
	assert.Contains(t, err.Error(), "locked")
	stats := s.Log().Stats()
	assert.Zero(t, stats.Failed, "no row is given up on while the database is locked")
	assert.EqualValues(t, n, stats.Held)

	release()
	require.NoError(t, s.Log().Flush(context.Background()))
	stats = s.Log().Stats()
	assert.EqualValues(t, n, stats.Written)
	assert.Zero(t, stats.Duplicates, "a row is committed once")
	assert.Zero(t, stats.Failed)
	assert.Zero(t, stats.Held)
	assert.Zero(t, stats.Pending())

	rows, err := s.DB().Query(`SELECT request_id FROM decisions ORDER BY rowid`)
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		got = append(got, id)
	}
	require.NoError(t, rows.Err())
	want := make([]string, n)
	for i := range want {
		want[i] = requestID(i + 1)
	}
	assert.Equal(t, want, got, "every row once, in the order recorded")
}

// However long the lock lasts, the rows waiting for it take no more than
// the held-rows limit: past it the oldest are dropped, counted as failed
// (the metrics' failed rows) and logged once, not a line per row.
func TestRowsHeldWhileTheDatabaseIsLockedStayWithinTheMemoryLimit(t *testing.T) {
	const fits = 20
	var out syncBuffer
	// A row a batch, so the limit holds a known number of rows.
	s, release := openLocked(t, store.WithBatchSize(1),
		store.WithHeldLimit(fits*store.HeldBytes(sampleRecord(requestID(1), sampleTime))),
		store.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))

	const rounds, perRound = 4, 100
	for round := range rounds {
		for i := range perRound {
			s.Log().Record(sampleRecord(requestID(round*perRound+i+1), sampleTime))
		}
		require.Error(t, s.Log().Flush(context.Background()))
		stats := s.Log().Stats()
		assert.EqualValues(t, fits, stats.Held, "round %d", round)
		assert.EqualValues(t, fits, stats.Pending(), "round %d: nothing waits beside the held rows", round)
		assert.EqualValues(t, (round+1)*perRound-fits, stats.Failed, "round %d: the dropped rows are counted", round)
	}
	assert.Equal(t, 1, strings.Count(out.String(), "past the memory limit"),
		"the drops are logged once:\n%s", out.String())

	release()
	require.NoError(t, s.Log().Flush(context.Background()))
	assert.Equal(t, fits, countDecisions(t, s), "the held rows are written")
	var newest int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM decisions WHERE request_id > ?`,
		requestID(rounds*perRound-fits)).Scan(&newest))
	assert.Equal(t, fits, newest, "the held rows are the newest: only the oldest are dropped")
}

// Shutdown does not wait for a lock that stays: as with a full disk, the
// held rows get one more try and Close reports those it could not write.
func TestClosingWhileTheDatabaseIsLockedReportsTheHeldRowsAsLost(t *testing.T) {
	s, _ := openLocked(t)
	for i := 1; i <= 50; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	err := s.Log().Flush(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "50 records held in memory", "Flush reports the rows held, not lost")

	err = s.Close()
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "Close waited out its timeout")
	assert.Contains(t, err.Error(), "50 records could not be written")
	stats := s.Log().Stats()
	assert.EqualValues(t, 50, stats.Failed)
	assert.Zero(t, stats.Held)
	assert.Zero(t, stats.Pending())
}
