package main

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// README "Configuration file": "every invalid value is listed at once". A
// file with two malformed durations must name both, each by its field, so
// the operator fixes the file in one pass and knows where to look.
func TestConfigFileNamesEveryMalformedDurationByItsField(t *testing.T) {
	getenv := func(string) string { return "" }
	_, err := readServeFile(strings.NewReader(`{"grace": "soon", "affinity_ttl": "1 hour"}`), getenv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "grace", "the message names the field that is wrong")
	assert.Contains(t, err.Error(), "affinity_ttl", "the second bad value is listed too")
}

// A malformed value and an invalid one in the same file: both are reported.
func TestConfigFileListsATypeErrorTogetherWithTheOtherInvalidValues(t *testing.T) {
	path := writeConfig(t, `{"max_body": "20MiB", "addr": "nohost"}`)
	_, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_body")
	assert.Contains(t, err.Error(), "addr", "the bad addr is listed with the bad max_body")
	assert.NotContains(t, err.Error(), "max_body 0", "a value that could not be read keeps its default")
	for _, line := range strings.Split(err.Error(), "\n")[1:] {
		if strings.Contains(line, "max_body") {
			assert.True(t, strings.HasPrefix(line, path+": "), "each line from the file names it: %q", line)
		}
	}
}

// Every unknown field is named, with the values of the wrong type: a value
// of the wrong type is described, not shown, since it may be a key written
// into the wrong field.
func TestConfigFileNamesEveryUnknownFieldAndWrongType(t *testing.T) {
	_, err := readServeFile(strings.NewReader(`{"adress": "x", "cuda": "yes", "max_body": "`+testSecret+`",
		"providers": {"openai": {"kynd": "openai", "api_key": 42}}}`), func(string) string { return "" })
	require.Error(t, err)
	for _, want := range []string{
		`unknown field "adress"`,
		`cuda: want true or false, got a string`,
		`max_body: want an integer, got a string`,
		`providers.openai: unknown field "kynd"`,
		`providers.openai.api_key: want a string, got a number`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), testSecret)
}

// README: "${VAR} in any string is replaced by that environment variable".
// Durations are strings in the file ("grace": "30s"), so a deployment can
// take them from its environment like the addr or the keys.
func TestConfigFileExpandsVariablesInDurations(t *testing.T) {
	env := map[string]string{"GRACE": "10s", "TTL": "5m"}
	f, err := readServeFile(strings.NewReader(`{"grace": "${GRACE}", "affinity_ttl": "${TTL}"}`),
		func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, duration(10*time.Second), *f.Grace)
	assert.Equal(t, duration(5*time.Minute), *f.AffinityTTL)

	// A variable that holds no duration is shown as the file wrote it: it
	// may hold a key.
	_, err = readServeFile(strings.NewReader(`{"grace": "${OPENAI_API_KEY}"}`),
		func(string) string { return testSecret })
	require.Error(t, err)
	assert.Contains(t, err.Error(), `grace: want a duration like "30s" or "1h", got "${OPENAI_API_KEY}"`)
	assert.NotContains(t, err.Error(), testSecret)
}

// README: "Every `serve` setting can also sit in one JSON file". --pprof is
// a serve flag in the README's table; the file takes it under its flag name
// with "_", as it does every other setting.
func TestConfigFileSetsThePprofAddress(t *testing.T) {
	path := writeConfig(t, `{"pprof": "127.0.0.1:6060"}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6060", o.pprof)

	// The file's address is held to the flag's rule: loopback only.
	path = writeConfig(t, `{"pprof": "0.0.0.0:6060"}`)
	_, err = parseServeArgs([]string{"--config", path}, nil, io.Discard)
	assert.ErrorContains(t, err, `pprof "0.0.0.0:6060": must be a loopback address`)
}

// Every serve flag but --config has a field of the same name (with "_") in
// the file.
func TestConfigFileHasAFieldForEveryServeFlag(t *testing.T) {
	var help bytes.Buffer
	_, err := parseServeArgs([]string{"-h"}, nil, &help)
	require.Error(t, err)
	fields := jsonFieldNames(reflect.TypeFor[serveFile]())
	for _, line := range strings.Split(help.String(), "\n") {
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "  -"), " ")
		if name == "config" {
			continue
		}
		assert.True(t, fields[strings.ReplaceAll(name, "-", "_")], "serve --%s has no config file field", name)
	}
}
