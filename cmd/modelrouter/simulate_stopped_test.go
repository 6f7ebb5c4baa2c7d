package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A simulate stopped before it finished (Ctrl-C: its context cancelled)
// ends its progress with where it stopped, as train's steps do, rather
// than leaving the count without an end (on a terminal, the bar with the
// error written after it on the same line).
func TestSimulateStoppedSaysWhereItStopped(t *testing.T) {
	prompts := filepath.Join(t.TempDir(), "prompts.txt")
	require.NoError(t, os.WriteFile(prompts, []byte("Write a haiku about routers\nProve that there are infinitely many primes\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"simulate", "--prompts", prompts}, &out, &errOut)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, errOut.String(), "simulate: stopped at ")
}
