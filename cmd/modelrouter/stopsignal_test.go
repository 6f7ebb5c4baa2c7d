package main

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ctrl-C during train (or eval, export-feedback, add-profile) ends it as a
// shell reports a command its signal stopped, exit 130 (143 for SIGTERM),
// saying it was stopped, not "train: context canceled" with exit 1, the
// status of a command that ran and failed.
func TestCommandStoppedByASignalSaysSoAndExits128PlusItsNumber(t *testing.T) {
	for _, tc := range []struct {
		sig    syscall.Signal
		name   string
		status int
	}{{syscall.SIGINT, "interrupt", 130}, {syscall.SIGTERM, "terminated", 143}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, stop := signalContext()
			defer stop()
			require.NoError(t, syscall.Kill(syscall.Getpid(), tc.sig))
			<-ctx.Done()
			err := fmt.Errorf("train: %w", ctx.Err())

			line, status, ok := stoppedBySignal(ctx, err)
			require.True(t, ok)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, "train: context canceled: stopped by a signal ("+tc.name+") before it finished", line)
		})
	}
}

// Without a stop signal, a cancelled context or another error is the
// command's own failure, left to main's usual line and status.
func TestErrorWithoutAStopSignalIsNotCalledStopped(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	_, _, ok := stoppedBySignal(ctx, fmt.Errorf("eval: %w", context.Canceled))
	assert.False(t, ok, "no signal came")

	cancelled, cancel := context.WithCancelCause(context.Background())
	cancel(stopSignal{syscall.SIGINT})
	_, _, ok = stoppedBySignal(cancelled, errors.New("train: training diverged"))
	assert.False(t, ok, "an error other than the cancellation is the command's own")
}
