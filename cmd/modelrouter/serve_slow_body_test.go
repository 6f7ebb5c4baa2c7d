package main

import (
	"bufio"
	"encoding/json"
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

// A client that sends its headers and the start of a body, then nothing,
// must not hold a connection and a handler for ever: serve answers it 408
// once --body-timeout has passed and closes the connection. (A short
// timeout here; the default is a minute.)
func TestServeEndsARequestWhoseBodyStopsArriving(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"),
		func(o *serveOptions) { o.bodyTimeout = 200 * time.Millisecond })
	resp, raw, br := sendStalledBody(t, base, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":\"model-router\",")
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &body), string(raw))
	assert.Equal(t, "timeout", body.Error.Code)
	_, err := br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed: what is left of the body is not read as a request")
	assert.Empty(t, fake.Requests(), "nothing reached the provider")
}

// --body-timeout and the file's body_timeout set the bound; it must be
// positive.
func TestBodyTimeoutComesFromTheFlagOrTheFile(t *testing.T) {
	o, err := parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, o.bodyTimeout, "the default")
	path := writeConfig(t, `{"body_timeout": "2m"}`)
	o, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Minute, o.bodyTimeout)
	o, err = parseServeArgs([]string{"--config", path, "--body-timeout", "30s"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, o.bodyTimeout, "a flag beats the file")
	_, err = parseServeArgs([]string{"--body-timeout", "0s"}, nil, io.Discard)
	assert.ErrorContains(t, err, "body_timeout 0s: must be positive")
}

// sendStalledBody sends request, whose Content-Length promises more body
// than it carries, to serve at base and then nothing more; it returns the
// answer, its body, and the connection's reader for what follows.
func sendStalledBody(t *testing.T, base, request string) (*http.Response, []byte, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = conn.Write([]byte(request))
	require.NoError(t, err)

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard, not a measurement
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "serve answers a body that stopped arriving")
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, raw, br
}
