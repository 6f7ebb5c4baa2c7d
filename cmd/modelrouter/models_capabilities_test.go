package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// paramsRow is model id's row in the third `models` table, the values it
// takes for reasoning effort and verbosity, split into its cells.
func paramsRow(t *testing.T, out, id string) []string {
	t.Helper()
	tables := strings.Split(out, "\n\n")
	require.GreaterOrEqual(t, len(tables), 4, "a title and three tables:\n%s", out)
	rows := rowsStarting(strings.Split(tables[3], "\n"), id+" ")
	require.Len(t, rows, 1, "a row for %s in the third table:\n%s", id, tables[3])
	var cells []string
	for c := range strings.SplitSeq(rows[0], "  ") {
		if c = strings.TrimSpace(c); c != "" {
			cells = append(cells, c)
		}
	}
	return cells
}

// A user choosing a subset reads from `models` every capability a call
// may leave a model out for: web search and audio output beside tools,
// vision, structured output and files, the reasoning effort and
// verbosity values a model takes, and whether it takes prediction and flex.
func TestModelsShowsEveryCapabilityTheRouterFiltersOn(t *testing.T) {
	off := false
	searcher := simModel("searcher", 1, 2)
	searcher.Capabilities = router.Capabilities{Tools: true, WebSearch: true, AudioOutput: true, PredictedOutputs: true}
	thinker := simModel("thinker", 1, 2)
	thinker.ReasoningTokens = 512
	thinker.Capabilities = router.Capabilities{Reasoning: true, Vision: true, StructuredOutput: true, Files: true,
		Verbosity: true, ReasoningEfforts: []string{"none", "low", "high"}, Flex: true}
	refuser := simModel("refuser", 1, 2)
	refuser.Capabilities = router.Capabilities{Reasoning: true, ReasoningEffort: &off}
	open := simModel("open", 1, 2)
	open.Capabilities = router.Capabilities{Reasoning: true}
	v := router.Version{Version: "v1", Models: []router.Model{searcher, thinker, refuser, open}}

	var buf bytes.Buffer
	require.NoError(t, writeModelsTable(&buf, v, nil))
	out := buf.String()
	for i, want := range []string{"-T---WA", "R-VSF-- +512", "R------", "R------"} {
		row := modelRows(t, out, v.Models[i])[0]
		assert.True(t, strings.HasSuffix(row, "  "+want), "%q", row)
	}
	assert.Equal(t, []string{"searcher", "-", "-", "yes", "-"}, paramsRow(t, out, "searcher"))
	assert.Equal(t, []string{"thinker", "none, low, high", "low, medium, high", "-", "yes"}, paramsRow(t, out, "thinker"))
	assert.Equal(t, []string{"refuser", "-", "-", "-", "-"}, paramsRow(t, out, "refuser"))
	assert.Equal(t, []string{"open", "any", "-", "-", "-"}, paramsRow(t, out, "open"))
	assert.Contains(t, strings.ReplaceAll(out, "\n", " "), "W web search, A audio output")
}

// The shipped catalog as `models` prints it: the GPT-5 models' efforts and
// verbosity, and none for the chat models, which take neither.
func TestModelsShowsTheCatalogsEffortsAndVerbosity(t *testing.T) {
	out, _, err := runCmd(t, "models")
	require.NoError(t, err)
	assertFits120(t, out)
	assert.Equal(t, []string{"gpt-5-2025-08-07", "minimal, low, medium, high", "low, medium, high", "-", "yes"}, paramsRow(t, out, "gpt-5-2025-08-07"))
	assert.Equal(t, []string{"gpt-5.2-2025-12-11", "none, low, medium, high, xhigh", "low, medium, high", "-", "-"}, paramsRow(t, out, "gpt-5.2-2025-12-11"))
	assert.Equal(t, []string{"gpt-5.2-chat-2025-12-11", "-", "-", "-", "-"}, paramsRow(t, out, "gpt-5.2-chat-2025-12-11"))
	assert.Equal(t, []string{"grok-4", "-", "-", "-", "-"}, paramsRow(t, out, "grok-4"))
	assert.Equal(t, []string{"gpt-4.1-2025-04-14", "-", "-", "yes", "-"}, paramsRow(t, out, "gpt-4.1-2025-04-14"))
}

// `models --json` writes out every capability of every model, false ones
// included, and reasoning_effort resolved: a jq filter on
// .capabilities.verbosity or .reasoning_effort reads the model as the
// router does, without knowing that catalog.json leaves false flags out.
func TestModelsJSONWritesOutEveryCapability(t *testing.T) {
	out, _, err := runCmd(t, "models", "--json")
	require.NoError(t, err)
	var v struct {
		Models []struct {
			ID           string                     `json:"id"`
			Capabilities map[string]json.RawMessage `json:"capabilities"`
		} `json:"models"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.NotEmpty(t, v.Models)
	caps := map[string]map[string]json.RawMessage{}
	for _, m := range v.Models {
		caps[m.ID] = m.Capabilities
		for _, f := range reflect.VisibleFields(reflect.TypeFor[router.Capabilities]()) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Type.Kind() == reflect.Slice {
				continue // a list of values, left out where the model lists none
			}
			assert.Contains(t, m.Capabilities, name, "%s", m.ID)
		}
	}
	for id, want := range map[string]map[string]string{
		"gpt-4o-2024-11-20": {"verbosity": "false", "web_search": "false", "audio_output": "false", "reasoning_effort": "false"},
		"gpt-5-2025-08-07":  {"verbosity": "true", "reasoning_effort": "true", "reasoning_efforts": `["minimal","low","medium","high"]`},
		"grok-4":            {"reasoning": "true", "reasoning_effort": "false"},
		"DeepSeek-V3.1":     {"reasoning_effort": "true"},
	} {
		for k, val := range want {
			assert.JSONEq(t, val, string(caps[id][k]), "%s %s", id, k)
		}
	}
}
