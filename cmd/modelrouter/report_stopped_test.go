package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelOnWrite is stderr that stops the command (its context cancelled
// with a stop signal as the cause, as Ctrl-C does) once the command has
// written a line with mark: the user's Ctrl-C once progress shows.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   string
	cancel context.CancelCauseFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), w.mark) {
		w.cancel(stopSignal{syscall.SIGINT})
	}
	return w.buf.Write(p)
}

// A report stopped by Ctrl-C mid-scan (a log large enough to show its
// progress) ends that progress with where it stopped, as train's and
// simulate's steps do, rather than leaving the count without an end line,
// and main says it was stopped, exit 130, not that it failed.
func TestReportStoppedMidScanSaysWhereItStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large log")
	}
	db := writeLog(t, reportProgressFrom/2)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stderr := &cancelOnWrite{mark: "report: ", cancel: cancel}
	err := run(ctx, []string{"report", "--db", db}, &bytes.Buffer{}, stderr)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, stderr.buf.String(), "report: stopped at ")
	assert.NotContains(t, stderr.buf.String(), " done in ")

	line, status, ok := stoppedBySignal(ctx, err)
	require.True(t, ok, "main reads %v as stopped by the signal", err)
	assert.Equal(t, 130, status)
	assert.Contains(t, line, "stopped by a signal (interrupt) before it finished")
}
