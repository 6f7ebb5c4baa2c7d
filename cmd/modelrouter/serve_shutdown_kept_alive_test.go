package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
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

// An answer begun before the signal that ends by itself late in the
// grace could not say Connection: close either, and its client may send
// its next call on the connection just as the grace runs out. With no
// other call under way then, the gateway still keeps the connection for
// the linger since that answer rather than close it at once, under the
// call, which would fail with a bare EOF (or find the connection gone
// and be refused afresh): the call is answered, and told to close.
func TestCallOnTheConnectionOfAnAnswerEndedLateInTheGraceIsAnswered(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	gate := make(chan struct{})
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			fake.Set(m.UpstreamModel, upstreamtest.Behavior{Gate: gate})
			fake.Set(m.Name, upstreamtest.Behavior{Gate: gate})
		}
	}
	const grace = time.Second
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	var logs syncBuffer
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = grace
		o.rateLimits = false
		o.keptAliveLinger = 8 * time.Second // a loaded machine's slow client still sends within it
		o.logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	call := func() (*http.Response, error) {
		return client.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	}
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := call()
		assert.NoError(t, err)
		answered <- resp
	}()
	require.Eventually(t, func() bool { return len(fake.Requests()) > 0 }, 10*time.Second, time.Millisecond)

	stop() // the call is under way: its answer cannot say Connection: close
	// The grace's timer starts once serve has taken the signal and said
	// so, which on a loaded machine can be well after stop().
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "shutting down: finishing open requests")
	}, 30*time.Second, time.Millisecond)
	signalled := time.Now()
	close(gate)
	resp := <-answered
	require.NotNil(t, resp)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode) // its connection is idle, kept alive
	// The grace has run out a second after it began (the second more
	// for serve's own goroutines on a loaded machine); the linger (8 s
	// from the answer's end) keeps the connection meanwhile.
	time.Sleep(time.Until(signalled.Add(grace + time.Second)))

	resp, err = call()
	require.NoError(t, err, "the call sent on the connection of an answer that ended late in the grace got no answer")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `"server_shutting_down"`, "past the grace the call is turned away, not begun")
	assert.True(t, resp.Close, "the answer tells the client to close the connection after it")
	requireServeStopped(t, done, 30*time.Second)
}
