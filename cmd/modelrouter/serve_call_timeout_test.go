package main

import (
	"io"
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

// sdkTimeout is how long the OpenAI and Anthropic SDKs wait for an answer,
// and for each next byte of a stream, by default (600 s).
const sdkTimeout = 10 * time.Minute

// --call-timeout and --stream-idle-timeout, or the file's call_timeout and
// stream_idle_timeout, set the bounds, and a value that is no positive
// duration refuses to start, naming the setting. Both defaults end before
// the SDKs' own timeout, so a client whose answer never began gets the
// gateway's 502 saying why, and one whose stream went silent (keep-alive
// comments do not reach it) the gateway's error event, rather than a bare
// client timeout at the same moment.
func TestCallTimeoutAndStreamIdleTimeoutComeFromTheFlagOrTheFile(t *testing.T) {
	o, err := parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	assert.Less(t, o.callTimeout, sdkTimeout, "the default call timeout must end before the SDKs give up")
	assert.Equal(t, 9*time.Minute+30*time.Second, o.callTimeout, "the default")
	assert.Less(t, o.streamIdle, sdkTimeout, "the default stream silence limit must end before the SDKs give up")
	assert.Equal(t, 9*time.Minute+30*time.Second, o.streamIdle, "the default")

	path := writeConfig(t, `{"call_timeout": "30m", "stream_idle_timeout": "2m"}`)
	o, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Minute, o.callTimeout)
	assert.Equal(t, 2*time.Minute, o.streamIdle)

	o, err = parseServeArgs([]string{"--config", path, "--call-timeout", "5m", "--stream-idle-timeout", "90s"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, o.callTimeout, "a flag beats the file")
	assert.Equal(t, 90*time.Second, o.streamIdle, "a flag beats the file")

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--call-timeout", "0"}, []string{"call_timeout 0s: must be positive"}},
		{[]string{"--stream-idle-timeout", "-1m"}, []string{"stream_idle_timeout -1m0s: must be positive"}},
		{[]string{"--call-timeout", "ten minutes"}, []string{`invalid value "ten minutes" for flag --call-timeout: want a duration`}},
		{[]string{"--config", writeConfig(t, `{"call_timeout": "0s", "stream_idle_timeout": "-5s"}`)},
			[]string{"call_timeout 0s: must be positive", "stream_idle_timeout -5s: must be positive"}},
		{[]string{"--config", writeConfig(t, `{"call_timeout": 600, "stream_idle_timeout": "soon"}`)},
			[]string{"call_timeout: want a duration string", "stream_idle_timeout: want a duration like"}},
	} {
		_, err := parseServeArgs(tc.args, nil, io.Discard)
		require.Error(t, err, "%v", tc.args)
		for _, want := range tc.want {
			assert.Contains(t, err.Error(), want, "%v", tc.args)
		}
	}
}

// The gateway serve starts uses both settings: a JSON answer that does not
// come within --call-timeout ends the call in a 502 that says so, and a
// stream that goes silent mid-answer is cut after --stream-idle-timeout.
func TestServeUsesTheCallTimeoutAndTheStreamIdleTimeout(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	setAll := func(b upstreamtest.Behavior) {
		cat, err := models.Catalog()
		require.NoError(t, err)
		for _, v := range cat.Versions {
			for _, m := range v.Models {
				fake.Set(m.UpstreamModel, b)
				fake.Set(m.Name, b)
			}
		}
	}
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, _, _ := startServe(t, fake, db, func(o *serveOptions) {
		o.callTimeout, o.streamIdle = 400*time.Millisecond, 400*time.Millisecond
	})
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Post(base+"/v1/chat/completions", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(raw)
	}

	setAll(upstreamtest.Behavior{Stall: true})
	status, body := post(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusBadGateway, status, body)
	assert.Contains(t, body, "the 400ms deadline ran out")

	setAll(upstreamtest.Behavior{Reply: "one two three four", Stall: true, StallAfter: 2})
	status, body = post(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusOK, status, "the stream had begun")
	assert.Contains(t, body, "upstream_stream_interrupted")
	assert.Contains(t, body, "nothing for 400ms")
}

// A model that stalls is failed over when its attempt timeout (1m) runs
// out, and counted against its health: a --call-timeout no longer than
// that would end every such call first, so a stalled model would never be
// failed over nor tried last. Serve refuses it, naming both limits.
func TestServeRefusesACallTimeoutNoLongerThanTheAttemptTimeout(t *testing.T) {
	for _, args := range [][]string{
		{"--call-timeout", "30s"},
		{"--call-timeout", "1m"},
		{"--config", writeConfig(t, `{"call_timeout": "45s"}`)},
	} {
		_, err := parseServeArgs(args, nil, io.Discard)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), "must be longer than the 1m0s attempt timeout", "%v", args)
	}
	o, err := parseServeArgs([]string{"--call-timeout", "90s"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, o.callTimeout)
}
