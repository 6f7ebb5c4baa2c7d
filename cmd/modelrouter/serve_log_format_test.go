package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logLines reads a --log-format json log: every line one JSON object.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &obj), "not a JSON object: %q", line)
		lines = append(lines, obj)
	}
	return lines
}

// A gateway whose logs go to Loki, ELK, Datadog or CloudWatch wants JSON
// lines: with --log-format json every line serve logs, from start to
// stop, warnings included, is one JSON object with its level, message and
// attributes as fields.
func TestServeLogFormatJSONWritesEveryLineAsAJSONObject(t *testing.T) {
	log := serveLog(t, []string{"MODELROUTER_ADMINKEY=" + testSecret}, nil, "--log-format", "json")
	lines := logLines(t, log)
	byMsg := map[string]map[string]any{}
	for _, l := range lines {
		assert.NotEmpty(t, l["time"], "%v", l)
		assert.Contains(t, []any{"DEBUG", "INFO", "WARN", "ERROR"}, l["level"], "%v", l)
		msg, _ := l["msg"].(string)
		require.NotEmpty(t, msg, "%v", l)
		byMsg[msg] = l
	}
	serving := byMsg["modelrouter serving"]
	require.NotNil(t, serving, "the startup line: %s", log)
	assert.Equal(t, "INFO", serving["level"])
	assert.Contains(t, serving["addr"], "127.0.0.1:")
	assert.Equal(t, false, serving["require_keys"], "a boolean stays a JSON boolean")
	assert.NotEmpty(t, serving["router_model"])
	assert.NotEmpty(t, serving["db"])
	unused := byMsg["environment variables modelrouter does not read (misspelt?): not used"]
	require.NotNil(t, unused, "the warning: %s", log)
	assert.Equal(t, "WARN", unused["level"])
	assert.Equal(t, "MODELROUTER_ADMINKEY", unused["variables"])
	stopping := byMsg["shutting down: finishing open requests (a second Ctrl-C cuts them now)"]
	require.NotNil(t, stopping, "the shutdown line: %s", log)
	assert.Equal(t, "1s", stopping["grace"])
	assert.NotContains(t, log, testSecret)

	// The config file sets it as the flag does.
	log = serveLog(t, nil, nil, "--config", writeConfig(t, `{"log_format": "json"}`))
	assert.Equal(t, "modelrouter serving", logLines(t, log)[0]["msg"])
}

// --log-level warn quiets the startup's Info lines and keeps its
// warnings; the default (info) writes both, as text.
func TestServeLogLevelWarnLeavesOutInfoLinesAndKeepsWarnings(t *testing.T) {
	env := []string{"MODELROUTER_ADMINKEY=" + testSecret}
	for _, args := range [][]string{{"--log-level", "warn"}, {"--config", writeConfig(t, `{"log_level": "WARN"}`)}} {
		log := serveLog(t, env, nil, args...)
		assert.NotContains(t, log, "level=INFO", "%v", args)
		assert.NotContains(t, log, "modelrouter serving", "%v", args)
		assert.Contains(t, log, `level=WARN msg="environment variables modelrouter does not read (misspelt?): not used" variables=MODELROUTER_ADMINKEY`, "%v", args)
	}
	log := serveLog(t, env, nil)
	assert.Contains(t, log, `level=INFO msg="modelrouter serving"`)
	assert.Contains(t, log, "level=WARN")

	// --log-level error leaves out the warning too; a flag beats the file.
	log = serveLog(t, env, nil, "--config", writeConfig(t, `{"log_level": "debug"}`), "--log-level", "error")
	assert.Empty(t, log)
}

// --log-level debug adds one line per routing decision: the request id
// (the x-request-id the client got), the deployment, mode, chosen model
// and what the router predicted of it; never the prompt. Above debug a
// decision writes nothing.
func TestServeLogLevelDebugWritesALinePerRoutingDecision(t *testing.T) {
	const prompt = "Name a prime number between 100 and 200."
	var id string
	call := func(base string) {
		resp, err := http.Post(base+"/v1/route", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"`+prompt+`"}],"routing_config":{"mode":"cost"}}`))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		id = resp.Header.Get("x-request-id")
	}
	log := serveLog(t, nil, call, "--log-level", "debug", "--log-format", "json")
	var routed map[string]any
	for _, l := range logLines(t, log) {
		if l["msg"] == "routed" {
			require.Nil(t, routed, "one line per decision: %s", log)
			routed = l
		}
	}
	require.NotNil(t, routed, "no routing line: %s", log)
	assert.Equal(t, "DEBUG", routed["level"])
	assert.Equal(t, id, routed["request_id"])
	assert.Equal(t, "model-router", routed["deployment"])
	assert.Equal(t, "cost", routed["mode"])
	assert.Equal(t, true, routed["dry_run"])
	assert.NotEmpty(t, routed["chosen_model"])
	assert.InDelta(t, 0.8, routed["predicted_quality"], 1e-9, "the fixed predictor's quality")
	assert.Greater(t, routed["expected_cost_usd"], 0.0)
	assert.NotContains(t, log, "prime number", "no prompt text")

	log = serveLog(t, nil, call)
	assert.NotContains(t, log, "routed")
	assert.NotContains(t, log, "DEBUG")
}

// A --log-format or --log-level serve does not take is refused at start,
// from a flag or the file, naming the setting and what it takes; a key
// put there by mistake is not shown.
func TestServeRefusesALogFormatOrLevelItDoesNotTake(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `log_format "xml": want text or json`},
		{[]string{"--log-level", "verbose"}, `log_level "verbose": want debug, info, warn or error`},
		{[]string{"--log-level", ""}, `log_level: empty; want debug, info, warn or error`},
		{[]string{"--config", writeConfig(t, `{"log_format": "logfmt", "log_level": "trace"}`)}, `log_format "logfmt": want text or json`},
		{[]string{"--config", writeConfig(t, `{"log_format": "logfmt", "log_level": "trace"}`)}, `log_level "trace": want debug, info, warn or error`},
		{[]string{"--log-level", testSecret}, `log_level (not shown: it may be a key): want debug, info, warn or error`},
	} {
		var stderr bytes.Buffer
		_, err := parseServeArgs(tc.args, nil, &stderr)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
		assert.NotContains(t, err.Error(), testSecret)
	}
	for _, ok := range [][]string{{"--log-format", "JSON", "--log-level", "Debug"}, {"--log-format", "text", "--log-level", "error"}} {
		_, err := parseServeArgs(ok, nil, io.Discard)
		assert.NoError(t, err, "%v", ok)
	}
}
