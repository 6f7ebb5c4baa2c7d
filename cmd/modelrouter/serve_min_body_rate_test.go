package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client that keeps sending its body, a few bytes at a time, below
// --min-body-rate, is answered 408 timeout once the grace period has
// passed (its silences are far inside --body-timeout), with the rate in
// the message, and its connection is closed; with --min-body-rate 0 the
// same body is answered. (A short grace here; it is 5 s.)
func TestServeEndsABodyArrivingBelowTheMinBodyRate(t *testing.T) {
	const chat = `{"model":"model-router","messages":[{"role":"user","content":"What is the capital of France?"}]}`
	for _, minRate := range []int64{1000, 0} {
		fake := upstreamtest.NewOpenAI(t)
		base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
			o.bodyTimeout = 10 * time.Second
			o.minBodyRate = minRate
			o.bodyRateGrace = 200 * time.Millisecond
		})
		// The rate counts from when the handler begins to read, so the
		// body that must get the 408 lasts well past the grace (3 s, not
		// half a second): a handler that begins late on a loaded machine,
		// most of a short body already waiting, would read it whole
		// within the grace and answer it. JSON may end in spaces.
		sent := chat
		if minRate > 0 {
			sent += strings.Repeat(" ", 500)
		}
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(sent))
		require.NoError(t, err)
		// 5 bytes every 25 ms: 200 bytes a second.
		go func() {
			for i := 0; i < len(sent); i += 5 {
				time.Sleep(25 * time.Millisecond)
				if _, err := io.WriteString(conn, sent[i:min(i+5, len(sent))]); err != nil {
					return
				}
			}
		}()

		require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "--min-body-rate %d", minRate)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if minRate == 0 {
			assert.Equal(t, http.StatusOK, resp.StatusCode, "no minimum: %s", raw)
			continue
		}
		assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(raw, &body), string(raw))
		assert.Equal(t, "timeout", body.Error.Code)
		assert.Contains(t, body.Error.Message, "under the minimum of 1000 bytes a second")
		// An end, or a reset where the trickle's later bytes were unread;
		// not the hang guard's timeout, which an open connection meets.
		_, err = br.ReadByte()
		assert.True(t, err == io.EOF || errors.Is(err, syscall.ECONNRESET), "the connection is closed: %v", err)
		assert.Empty(t, fake.Requests(), "nothing reached the provider")
	}
}

// --min-body-rate and the file's min_body_rate set the minimum (240 by
// default, 0 for none); a negative one is refused at start.
func TestMinBodyRateComesFromTheFlagOrTheFile(t *testing.T) {
	o, err := parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int64(240), o.minBodyRate, "the default, Kestrel's")
	path := writeConfig(t, `{"min_body_rate": 1000}`)
	o, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int64(1000), o.minBodyRate)
	o, err = parseServeArgs([]string{"--config", path, "--min-body-rate", "0"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int64(0), o.minBodyRate, "a flag beats the file; 0 is no minimum")
	_, err = parseServeArgs([]string{"--min-body-rate", "-1"}, nil, io.Discard)
	assert.ErrorContains(t, err, "min_body_rate -1: must not be negative")
	_, err = parseServeArgs([]string{"--config", writeConfig(t, `{"min_body_rate": -5}`)}, nil, io.Discard)
	assert.ErrorContains(t, err, "min_body_rate -5: must not be negative")
}
