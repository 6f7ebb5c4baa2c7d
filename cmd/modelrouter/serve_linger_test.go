package main

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A connection whose answer is still going out when the shutdown begins
// turns idle a moment later, and its client may send its next call on it
// at once: the linger waits for it as for one already idle, and for one
// accepted but not yet read, until each has closed. (make test once saw
// the kept-alive shutdown test's second call reset: its connection was
// still active when the linger looked, so the linger ended at once and
// Shutdown closed the connection under the call.)
func TestLingerWaitsForEveryOpenConnectionNotOnlyIdleOnes(t *testing.T) {
	for _, state := range []http.ConnState{http.StateNew, http.StateActive, http.StateIdle} {
		t.Run(state.String(), func(t *testing.T) {
			var conns openConns
			c1, c2 := net.Pipe()
			defer c1.Close()
			defer c2.Close()
			conns.track(c1, state)
			assert.False(t, conns.none(), "a connection %s is one the linger waits for", state)
			conns.track(c1, http.StateClosed)
			assert.True(t, conns.none())
		})
	}
	var conns openConns
	c1, c2 := net.Pipe()
	defer c2.Close()
	conns.track(c1, http.StateHijacked)
	assert.True(t, conns.none(), "a hijacked connection is no longer the server's")

	// lingerKeptAlive returns once the connection open at its start has
	// gone through idle to closed, not before it closed.
	conns = openConns{}
	conns.track(c1, http.StateActive)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var closing atomic.Bool
	returned := make(chan struct{})
	go func() {
		lingerKeptAlive(context.Background(), newStoppableListener(ln), &closing, &conns, time.Minute)
		close(returned)
	}()
	conns.track(c1, http.StateIdle)
	select {
	case <-returned:
		t.Fatal("the linger ended with a connection still open")
	default:
	}
	conns.track(c1, http.StateClosed)
	select {
	case <-returned:
	case <-time.After(30 * time.Second): // hang guard
		t.Fatal("the linger did not end once the connection closed")
	}
	assert.True(t, closing.Load(), "answers from the shutdown on say Connection: close")
}
