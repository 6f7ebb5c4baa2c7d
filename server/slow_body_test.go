package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A body that stops arriving is answered 408 in the API's error shape once
// BodyTimeout has passed, its connection closed, and the call logged as
// 408 timeout: it held a handler and a decision-log slot until then.
func TestABodyThatStopsArrivingIsAnswered408AndLogged(t *testing.T) {
	for _, tc := range []struct {
		path      string
		anthropic bool
	}{
		{"/v1/chat/completions", false},
		{"/v1/messages", true},
	} {
		e := newE2E(t, func(c *Config) { c.BodyTimeout = 200 * time.Millisecond })
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":\"model-router\",", tc.path, e2eKey)
		require.NoError(t, err)

		require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "%s: the gateway answers a body that stopped arriving", tc.path)
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, "%s: %s", tc.path, raw)
		body := errorShapeOf(t, raw)
		assert.Equal(t, router.ETimeout, body.Error.Code, tc.path)
		if tc.anthropic {
			assert.Equal(t, "error", body.Type, "Anthropic's error shape on the Messages API: %s", raw)
		}
		_, err = br.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "%s: the connection is closed", tc.path)

		rec := e.log.waitFor(t, 1)[0]
		assert.Equal(t, http.StatusRequestTimeout, rec.Status, tc.path)
		assert.Equal(t, router.ETimeout, rec.ErrorCode, tc.path)
	}
}

// The bound is on the body only, not on the call: an answer may take
// longer than BodyTimeout to come, and the connection then serves the
// next request.
func TestTheBodyTimeoutEndsWithTheBody(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.BodyTimeout = 50 * time.Millisecond })
	for _, m := range []string{"large", "mini", "nano"} {
		e.openai.Set(m, upstreamtest.Behavior{Delay: 300 * time.Millisecond})
	}
	e.anthropic.Set("claude", upstreamtest.Behavior{Delay: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
	br := bufio.NewReader(conn)
	for i := range 2 {
		_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", e2eKey, len(chatBody), chatBody)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "request %d on one connection", i+1)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "request %d: %s", i+1, raw)
	}
}

// BodyTimeout bounds the silence between two parts of a body, not its
// whole time: a large body on a slow link keeps arriving and is answered
// however long it takes in all, compressed or not.
func TestABodyThatKeepsArrivingSlowlyIsAnswered(t *testing.T) {
	for _, tc := range []struct {
		name, body, encoding string
	}{
		{"plain", chatBody, ""},
		{"gzip", gzipped(t, chatBody), "Content-Encoding: gzip\r\n"},
	} {
		e := newE2E(t, func(c *Config) { c.BodyTimeout = 300 * time.Millisecond })
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\n%sContent-Length: %d\r\n\r\n", e2eKey, tc.encoding, len(tc.body))
		require.NoError(t, err)
		// 12 parts 100 ms apart: four times the bound in all, a third of
		// it at most between two parts.
		const parts = 12
		for i := range parts {
			time.Sleep(100 * time.Millisecond)
			_, err = io.WriteString(conn, tc.body[i*len(tc.body)/parts:(i+1)*len(tc.body)/parts])
			require.NoError(t, err, "%s: part %d", tc.name, i+1)
		}

		require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, tc.name)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", tc.name, raw)
		assert.Contains(t, string(raw), `"choices"`, tc.name)
	}
}

// A read of a stored answer may carry a body ({"stream": true}, as OpenAI's
// Go SDK sends it); one that stops arriving is answered 408 like a call's.
func TestAReadWhoseBodyStopsArrivingIsAnswered408(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.BodyTimeout = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET /v1/responses/resp_1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"stream\":", e2eKey)
	require.NoError(t, err)

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the gateway answers a body that stopped arriving")
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
	assert.Contains(t, string(raw), `"code":"timeout"`)
}
