package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// README: keys "never appear in logs, errors or %v output". The common slip
// of swapping two variables puts a key where a base URL belongs
// (OPENAI_BASE_URL=$OPENAI_API_KEY, or "base_url": "${OPENAI_API_KEY}");
// serve refuses that, and its message, which lands in service logs and CI
// output, names the setting without echoing the key back.
func TestRefusedBaseURLDoesNotEchoAKeyPutInItsPlace(t *testing.T) {
	path := writeConfig(t, `{"providers": {"openai": {"base_url": "${OPENAI_API_KEY}"}}}`)
	_, err := parseServeArgs([]string{"--config", path}, []string{"OPENAI_API_KEY=" + testSecret}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "providers.openai.base_url")
	assert.NotContains(t, err.Error(), testSecret)

	_, err = parseServeArgs(nil, []string{"OPENAI_API_KEY=x", "OPENAI_BASE_URL=" + testSecret}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OPENAI_BASE_URL")
	assert.NotContains(t, err.Error(), testSecret)
}

// The same slip in a provider's kind, which is read lower-cased. A wrong
// kind or base URL that cannot be a key is still shown, to be fixed.
func TestRefusedKindDoesNotEchoAKeyPutInItsPlace(t *testing.T) {
	path := writeConfig(t, `{"providers": {"openai": {"kind": "${OPENAI_API_KEY}"}}}`)
	_, err := parseServeArgs([]string{"--config", path}, []string{"OPENAI_API_KEY=" + testSecret}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "providers.openai.kind")
	assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(testSecret))

	path = writeConfig(t, `{"providers": {"openai": {"kind": "Antropic", "base_url": "ftp://127.0.0.1/v1"},
		"meta": {"base_url": "localhost:11434/v1"}}}`)
	_, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `providers.openai.kind "antropic": valid kinds`)
	assert.Contains(t, err.Error(), `providers.openai.base_url "ftp://127.0.0.1/v1": want an absolute http(s) URL`)
	assert.Contains(t, err.Error(), `providers.meta.base_url "localhost:11434/v1": want an absolute http(s) URL`)
}

// The same slip in an address: "pprof" and "addr" expand ${VAR} too, and a
// refused one is named without the key. An address a key cannot be (a
// non-loopback host:port) is still shown, to be fixed.
func TestRefusedAddressDoesNotEchoAKeyPutInItsPlace(t *testing.T) {
	env := []string{"OPENAI_API_KEY=" + testSecret}
	for _, body := range []string{`{"pprof": "${OPENAI_API_KEY}"}`, `{"addr": "${OPENAI_API_KEY}"}`} {
		_, err := parseServeArgs([]string{"--config", writeConfig(t, body)}, env, io.Discard)
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), "(not shown: it may be a key)", body)
		assert.NotContains(t, err.Error(), testSecret, body)
	}

	_, err := parseServeArgs([]string{"--pprof", testSecret, "--addr", "[::1]:99999"}, nil, io.Discard)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecret)
	assert.Contains(t, err.Error(), `addr "[::1]:99999": port 99999 is not in 0-65535`)

	_, err = parseServeArgs([]string{"--pprof", "10.0.0.5:6060"}, nil, io.Discard)
	assert.ErrorContains(t, err, `pprof "10.0.0.5:6060": must be a loopback address`)
}
