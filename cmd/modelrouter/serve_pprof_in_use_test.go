package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A --pprof address another process holds fails the start whole: serve
// never says it is serving (a supervisor or a reader of the log would take
// it as up), starts no pruning into the store it is closing, and leaves
// the gateway's port free for the next try.
func TestServeWhosePprofAddressIsInUseDoesNotStartHalfway(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := free.Addr().String()
	require.NoError(t, free.Close())

	var logs bytes.Buffer
	o := serveOptions{
		addr: addr, db: filepath.Join(t.TempDir(), "m.db"), grace: time.Second, maxBody: 1 << 20,
		affinityTTL: time.Hour, bodyTimeout: time.Minute, keepResponses: time.Hour, keepDecisions: time.Hour,
		pprof:     busy.Addr().String(),
		predictor: fixedPredictor(t),
		logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	}
	err = serve(context.Background(), o)
	require.ErrorContains(t, err, "--pprof")
	assert.NotContains(t, logs.String(), "modelrouter serving")

	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err, "the gateway's address is still held after the failed start")
	require.NoError(t, ln.Close())
}
