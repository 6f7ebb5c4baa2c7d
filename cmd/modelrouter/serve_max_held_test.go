package main

import (
	"encoding/json"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The memory the decision log may hold rows in while the disk is full is a
// serve setting: 256 MiB unless the flag or the file says otherwise, the
// flag beating the file.
func TestMaxHeldBytesComesFromTheFlagOrTheFile(t *testing.T) {
	o, err := parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	assert.EqualValues(t, store.DefaultHeldLimit, o.maxHeld)

	path := writeConfig(t, `{"max_held_bytes": 67108864}`)
	o, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.EqualValues(t, 64<<20, o.maxHeld)

	o, err = parseServeArgs([]string{"--config", path, "--max-held-bytes", "1048576"}, nil, io.Discard)
	require.NoError(t, err)
	assert.EqualValues(t, 1<<20, o.maxHeld)
}

// A limit below one batch of held rows would drop every batch, and a value
// meant in MiB ("256") is one: serve refuses it before it starts, naming
// the setting, the value and the least it takes; a size written as text
// is described, as every value of the wrong type.
func TestMaxHeldBytesRefusesAValueBelowOneMiB(t *testing.T) {
	for _, v := range []string{"256", "0", "-1"} {
		_, err := parseServeArgs([]string{"--max-held-bytes", v}, nil, io.Discard)
		assert.ErrorContains(t, err, "max_held_bytes "+v+": want at least 1048576 (1 MiB), in bytes", v)
	}
	_, err := parseServeArgs([]string{"--config", writeConfig(t, `{"max_held_bytes": "256MiB"}`)}, nil, io.Discard)
	assert.ErrorContains(t, err, "max_held_bytes: want an integer, got a string")
}

// README "Configuration file" shows a file with every setting at its
// default: it names each field serve reads, and serve reads it.
func TestTheReadmesConfigFileNamesEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n### Configuration file\n")
	require.True(t, ok)
	_, block, ok := strings.Cut(section, "```json\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(block), &fields))
	for name := range jsonFieldNames(reflect.TypeFor[serveFile]()) {
		assert.Contains(t, fields, name, "the README's config file leaves out %s", name)
	}
	_, err = readServeFile(strings.NewReader(block), func(string) string { return "set" })
	require.NoError(t, err)
}
