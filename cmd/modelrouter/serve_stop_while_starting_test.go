package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SIGTERM or Ctrl-C while serve starts (loading the router model takes a
// while) is a stop, as it is once serve listens: serve ends without an
// error, so the process exits 0 and a supervisor that stopped it does not
// see a failed start, and it never starts listening.
func TestServeStoppedWhileStartingEndsWithoutAnError(t *testing.T) {
	var logs bytes.Buffer
	listened := false
	o := serveOptions{
		addr: "127.0.0.1:0", db: filepath.Join(t.TempDir(), "m.db"), grace: time.Second, maxBody: 1 << 20,
		affinityTTL: time.Hour, bodyTimeout: time.Minute,
		predictor: fixedPredictor(t),
		listening: func(string) { listened = true },
		logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal came before serve got to listen

	require.NoError(t, serve(ctx, o))
	assert.False(t, listened, "serve listened after it was told to stop")
	assert.NotContains(t, logs.String(), "modelrouter serving")
}
