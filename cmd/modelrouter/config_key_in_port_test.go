package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

// "addr": "0.0.0.0:${PORT}" with PORT swapped for a key puts the key where
// the port belongs. Settings are checked before serve listens, and the
// check keeps a key out of the startup error; a port that is not a number
// must be refused there, or net.Listen refuses it instead with
// "listen tcp: lookup tcp/<the key>: unknown port".
func TestAddressWithAKeyForItsPortIsRefusedWithoutEchoingIt(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "127.0.0.1:" + testSecret},
		{"--pprof", "127.0.0.1:" + testSecret},
	} {
		_, err := parseServeArgs(args, nil, io.Discard)
		if assert.Error(t, err, "%v is accepted; serve's listen then prints it", args[0]) {
			assert.NotContains(t, err.Error(), testSecret)
		}
	}
}

// README: a refused addr or pprof is shown when it is "a host name or
// host:port". Host names without a dot (web-01, gpu-box) and a bare port
// (8080 for :8080, the usual slip) are not keys, and the operator fixing
// a config file from its startup error needs to see which value it was.
func TestRefusedAddressThatIsAHostNameIsShown(t *testing.T) {
	for _, c := range []struct{ flag, value string }{
		{"--addr", "web-01:99999"},
		{"--addr", "8080"},
		{"--pprof", "gpu-box:6060"},
	} {
		_, err := parseServeArgs([]string{c.flag, c.value}, nil, io.Discard)
		if assert.Error(t, err, c.value) {
			assert.Contains(t, err.Error(), `"`+c.value+`"`)
		}
	}
}
