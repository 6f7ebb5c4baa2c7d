//go:build unix

package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The --pprof server's own errors go through serve's log as the gateway's
// do: with --log-format json, an accept error (here too many open files,
// the README's example) is a JSON object at WARN naming the profiles'
// address, not a plain line from the log package on stderr.
func TestServeLogFormatJSONWritesThePprofServersErrorsAsJSON(t *testing.T) {
	profiles := freeLoopbackAddr(t)
	_, logs := startServeJSONLog(t, filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) { o.pprof = profiles })

	// A socket made while files can still be opened, connected once they
	// cannot: the connection waits in the listener's queue, and the
	// profiles' server fails to accept it.
	sock, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer syscall.Close(sock)
	tcp, err := net.ResolveTCPAddr("tcp", profiles)
	require.NoError(t, err)
	release := exhaustFiles(t)
	connectErr := syscall.Connect(sock, &syscall.SockaddrInet4{Port: tcp.Port, Addr: [4]byte{127, 0, 0, 1}})
	acceptFailed := waitForLog(logs, "http: Accept error: accept tcp "+profiles)
	release()
	require.NoError(t, connectErr)
	require.True(t, acceptFailed, "no accept error logged: %s", logs.String())

	var accept map[string]any
	for _, l := range logLines(t, logs.String()) {
		if msg, _ := l["msg"].(string); strings.Contains(msg, "accept tcp "+profiles) && accept == nil {
			accept = l
		}
	}
	require.NotNil(t, accept, logs.String())
	assert.Equal(t, "WARN", accept["level"])
	assert.Contains(t, accept["msg"], "too many open files")
}

// exhaustFiles lowers the process's open-file limit and opens files up to
// it, so that the next file or socket the process opens fails with
// EMFILE; the function it returns closes them and restores the limit.
// The tests of this package run one at a time, so none other meets it.
// Once the limit is set, Go starts child processes (later tests' serve
// binaries) with this process's raised limit, not the one it started
// with: more files, which none of them counts against.
func exhaustFiles(t *testing.T) func() {
	t.Helper()
	var was syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was))
	low := was
	low.Cur = min(was.Cur, 256)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	var held []*os.File
	released := false
	release := func() {
		if released {
			return
		}
		released = true
		for _, f := range held {
			_ = f.Close()
		}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was)
	}
	t.Cleanup(release)
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			return release
		}
		held = append(held, f)
		if len(held) > int(low.Cur) {
			release()
			t.Fatal("opened more files than the limit allows")
		}
	}
}

// waitForLog says whether the log came to hold want within a hang guard.
func waitForLog(logs *syncBuffer, want string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(logs.String(), want) {
			return true
		}
	}
	return false
}
