package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// A full disk is an incident of minutes (a log rotation, a backup landing
// on the same volume), while the gateway goes on answering. The rows of
// those minutes are the calls' billing and what budgets add up after a
// restart; the writer holds them in memory anyway, so once SQLite can
// write again they must reach the file rather than be dropped after a
// couple of seconds of retries. Meanwhile the server log says how many
// rows are held.
func TestRowsRecordedWhileTheDiskIsFullAreWrittenWhenSpaceReturns(t *testing.T) {
	var out syncBuffer
	s := MustOpen(t, store.WithCommitInterval(0), store.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	logged(t, s, sampleRecord(requestID(0), sampleTime))
	fillDisk(t, s)

	for i := 1; i <= 200; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	err := s.Log().Flush(context.Background())
	require.Error(t, err, "Flush says the rows are not written yet")
	// (The first rows may still fit in the last page's free bytes: how
	// many are held depends on how the writer batched them.)
	assert.Regexp(t, `[1-9]\d* records held in memory`, err.Error())
	assert.Zero(t, s.Log().Stats().Failed, "no row is given up on while the disk is full")
	assert.NotZero(t, s.Log().Stats().Pending())
	assert.Regexp(t, `rows held in memory.* rows=[1-9]`, out.String(), "the log says how many rows are held")

	freeDisk(t, s)
	logged(t, s, sampleRecord(requestID(999), sampleTime))

	assert.Equal(t, 202, countDecisions(t, s),
		"rows recorded while the disk was full were dropped (stats %+v)", s.Log().Stats())
	assert.Zero(t, s.Log().Stats().Pending())
}

// Holding rows must not take the process's memory: past the limit the
// oldest are dropped (the newest are the ones a budget or report most
// likely still needs) and counted in the failed rows the metrics export.
// Once at the limit every new batch drops an old one, so the drops are
// logged once rather than a line each.
func TestRowsHeldPastTheMemoryLimitAreDroppedOldestFirst(t *testing.T) {
	const fits = 50
	var out syncBuffer
	// A row a batch, so the limit holds a known number of rows.
	s := MustOpen(t, store.WithCommitInterval(0), store.WithBatchSize(1),
		store.WithHeldLimit(fits*store.HeldBytes(sampleRecord(requestID(1), sampleTime))),
		store.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	logged(t, s, sampleRecord(requestID(0), sampleTime))
	fillDisk(t, s)

	for i := 1; i <= 200; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	_ = s.Log().Flush(context.Background())
	// The first rows may still fit in the file's last pages.
	stats := s.Log().Stats()
	early := int(stats.Written) - 1
	assert.EqualValues(t, fits, stats.Held)
	assert.EqualValues(t, 200-early-fits, stats.Failed, "the dropped rows are counted as failed")
	assert.Equal(t, 1, strings.Count(out.String(), "past the memory limit"), "the drops are logged once:\n%s", out.String())

	freeDisk(t, s)
	require.NoError(t, s.Log().Flush(context.Background()))
	assert.Equal(t, 1+early+fits, countDecisions(t, s), "the held rows are written")
	var newest int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM decisions WHERE request_id > ?`, requestID(200-fits)).Scan(&newest))
	assert.Equal(t, fits, newest, "the held rows are the newest: only the oldest are dropped")
}

// Shutdown must not wait for a disk that stays full: the writer tries the
// held rows once more and Close reports how many it could not write.
func TestClosingWhileTheDiskIsFullReportsTheHeldRowsAsLost(t *testing.T) {
	// The bound only keeps a hanging Close from hanging the test.
	s := MustOpen(t, store.WithCommitInterval(0), store.WithCloseTimeout(30*time.Second))
	logged(t, s, sampleRecord(requestID(0), sampleTime))
	fillDisk(t, s)
	for i := 1; i <= 200; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	_ = s.Log().Flush(context.Background())

	err := s.Close()
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "Close waited out its timeout: %v", err)
	stats := s.Log().Stats()
	// The first rows may still fit in the file's last pages.
	lost := 200 - (int(stats.Written) - 1)
	assert.Greater(t, lost, 150, "most rows meet the full disk")
	assert.Contains(t, err.Error(), fmt.Sprintf("%d records could not be written", lost))
	assert.EqualValues(t, lost, stats.Failed)
	assert.Zero(t, stats.Held)
	assert.Zero(t, stats.Pending())
}

// fillDisk makes the store's database refuse to grow, as a full disk does
// (SQLITE_FULL): one connection, so the page cap is the one the writer
// uses, capped at the pages the file has.
func fillDisk(t *testing.T, s *store.Store) {
	t.Helper()
	db := s.DB()
	db.SetMaxOpenConns(1)
	var pages int
	require.NoError(t, db.QueryRow(`PRAGMA page_count`).Scan(&pages))
	_, err := db.Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages))
	require.NoError(t, err)
}

// freeDisk lets the database grow again, as space returning does.
func freeDisk(t *testing.T, s *store.Store) {
	t.Helper()
	_, err := s.DB().Exec(`PRAGMA max_page_count = 1073741823`)
	require.NoError(t, err)
}

// syncBuffer is a log destination the writer goroutine and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
