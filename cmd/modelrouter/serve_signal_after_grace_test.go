package main

import (
	"bufio"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signalOnLine is a log writer that, when serve writes a line containing
// at, sends sig on again and holds that write until serve's shutdown has
// taken the signal (or a bound passes): the signal arrives at that point
// of the shutdown and no later.
type signalOnLine struct {
	syncBuffer
	at    string
	again chan os.Signal
	sig   os.Signal
}

func (s *signalOnLine) Write(p []byte) (int, error) {
	if strings.Contains(string(p), s.at) {
		s.again <- s.sig
		for deadline := time.Now().Add(2 * time.Second); len(s.again) > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	return s.syncBuffer.Write(p)
}

// A second signal that comes once --grace has run out cuts nothing the
// grace did not already cut: serve ends as after any shutdown whose grace
// ran out, with status 0, and no log line claims the signal cut requests.
func TestASecondSignalAfterTheGraceRanOutIsNoCut(t *testing.T) {
	fake := stallingUpstream(t)
	again := make(chan os.Signal, 1)
	logs := &signalOnLine{at: "grace period over", again: again, sig: os.Interrupt}
	base, stop, done := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.grace = 200 * time.Millisecond
		o.again = again
		o.logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)

	stop()
	select {
	case err := <-done:
		assert.NoError(t, err, "the grace, not the signal, ended the shutdown")
		assert.Equal(t, 0, exitCode(err))
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, logs.String(), "grace period over")
	assert.NotContains(t, logs.String(), "cutting open requests now", "the grace had already cut them")
}
