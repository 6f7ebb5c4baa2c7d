package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client's kept-alive connection may carry its next call just as a
// SIGTERM comes. Closed under it, the call fails with a bare EOF that
// says nothing of whether the gateway ran it (non-idempotent, so no
// client retries it safely). The gateway stops accepting new connections
// at once but answers such a call, telling the client to close the
// connection after it.
func TestCallOnAKeptAliveConnectionAtShutdownIsAnswered(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.rateLimits = false
		// The linger ends once the connection carried its call; a long one
		// keeps a loaded machine's slow client from racing its second.
		o.keptAliveLinger = 8 * time.Second
	})
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	call := func() (*http.Response, error) {
		return client.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	}
	resp, err := call()
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode) // its connection is now idle, kept alive

	stop()
	addr := strings.TrimPrefix(base, "http://")
	require.Eventually(t, func() bool { // the gateway no longer accepts connections
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 10*time.Second, time.Millisecond)

	resp, err = call()
	require.NoError(t, err, "the call sent on the kept-alive connection as the gateway stopped got no answer")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.True(t, resp.Close, "the answer tells the client to close the connection after it")
	requireServeStopped(t, done, 30*time.Second)
}

// A stream the gateway cuts when --grace runs out began before the
// signal, so its answer could not say Connection: close, and its client
// keeps the connection for its next call once the error event has ended
// the stream. Closed under that call, it fails with a bare EOF ("server
// closed idle connection"); kept for the linger, the call gets the 503
// server_shutting_down every call the shutdown turns away gets, and
// is told to close the connection. (Seen with serve under load: 39 of
// 2,400 calls failed so as 60 clients' streams were cut at shutdown.)
func TestCallOnTheConnectionOfAStreamCutAtShutdownIsRefusedNotDropped(t *testing.T) {
	fake := stallingUpstream(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = 200 * time.Millisecond
		o.rateLimits = false
		o.keptAliveLinger = 8 * time.Second // a loaded machine's slow client still sends within it
	})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	resp, err := client.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	buf := make([]byte, 1)
	_, err = io.ReadFull(resp.Body, buf) // the stream is under way
	require.NoError(t, err)

	stop()
	rest, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err, "the cut stream ends as a whole response, its connection reusable")
	require.Contains(t, string(rest), `"server_shutting_down"`)

	resp, err = client.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err, "the call sent on the connection of the cut stream got no answer")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", body)
	assert.Contains(t, string(body), `"server_shutting_down"`)
	assert.True(t, resp.Close, "the answer tells the client to close the connection after it")
	requireServeStopped(t, done, 30*time.Second)
}
