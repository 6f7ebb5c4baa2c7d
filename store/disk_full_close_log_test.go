package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// At low traffic every call's row is a batch of its own, so a shutdown
// after an hour of full disk gives up on thousands of held batches. The
// server log says so in one line, naming the oldest and newest lost rows
// (the held rows are every row recorded since the database first refused,
// in order), rather than a line per batch with its request ids: thousands
// of ERROR lines at exit, and more than a journal keeps of a burst.
func TestClosingWhileTheDiskIsFullReportsTheLostRowsInOneLine(t *testing.T) {
	var out syncBuffer
	s := MustOpen(t, store.WithCommitInterval(0), store.WithBatchSize(1), store.WithCloseTimeout(30*time.Second),
		store.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	logged(t, s, sampleRecord(requestID(0), sampleTime))
	fillDisk(t, s)
	for i := 1; i <= 200; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	_ = s.Log().Flush(context.Background())
	// The first rows may still fit in the file's last pages.
	var oldestLost string
	require.NoError(t, s.DB().QueryRow(`SELECT printf('req-%05d', count(*)) FROM decisions`).Scan(&oldestLost))

	err := s.Close()
	require.Error(t, err)
	lost := s.Log().Stats().Failed
	require.Greater(t, lost, uint64(150), "most rows meet the full disk")

	var lines []string
	for line := range strings.Lines(out.String()) {
		if strings.Contains(line, "lost") {
			lines = append(lines, line)
		}
	}
	require.Len(t, lines, 1, "one line reports the lost rows:\n%s", out.String())
	assert.Contains(t, lines[0], fmt.Sprintf("rows=%d ", lost))
	assert.Contains(t, lines[0], "oldest_request_id="+oldestLost)
	assert.Contains(t, lines[0], "newest_request_id="+requestID(200))
}

// The error Close returns on a full disk is what `serve` prints as it
// exits: how many rows were lost. The query planner's statistics, which
// Close refreshes when it can (PRAGMA optimize), can wait for a disk with
// room, as they wait for a file this process may only read; their refusal
// added a bare "database or disk is full" line under it, which said nothing
// of what had failed.
func TestClosingWhileTheDiskIsFullSaysOnlyWhatWasLost(t *testing.T) {
	s := MustOpen(t, store.WithCommitInterval(0), store.WithCloseTimeout(30*time.Second))
	for i := range 50 {
		logged(t, s, sampleRecord(requestID(i), sampleTime))
	}
	fillDisk(t, s)
	for i := 50; i < 250; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}

	err := s.Close()
	require.Error(t, err)
	lost := s.Log().Stats().Failed
	require.NotZero(t, lost)
	assert.Equal(t, fmt.Sprintf("close decision log: %d records could not be written", lost), err.Error())
}
