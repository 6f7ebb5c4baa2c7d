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
