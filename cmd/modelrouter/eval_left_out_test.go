package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// A pool evaluated with the default candidates where one labelled model
// has no profile (gemini-1.5-pro-001: the router model knows
// gemini-1.5-pro and gemini-1.5-pro-002, not this snapshot) is evaluated
// without it. eval says so, with the --map that brings it in, instead of
// reporting the rest as though it were the whole pool.
func TestEvalNamesALabelledModelLeftOutOfTheDefaultCandidates(t *testing.T) {
	classifiertest.RequireRuntime(t)
	out := t.TempDir()
	data := writeEvalDataset(t, t.TempDir(), "pool", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "claude-3-haiku-20240307": {0.25, 1.25}, "gemini-1.5-pro-001": {3.5, 10.5}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr), stderr.String())
	var rep struct {
		Candidates []struct {
			Name string `json:"name"`
		} `json:"candidates"`
		LeftOut []string `json:"left_out_without_profile"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(out, "report.json")), &rep))
	assert.Len(t, rep.Candidates, 2, "gemini-1.5-pro-001 has no profile")
	assert.Contains(t, stderr.String(), "left out of the default candidates")
	assert.Contains(t, stderr.String(), "gemini-1.5-pro-001 (closest by name: gemini-1.5-pro-002")
	assert.Contains(t, stderr.String(), "--map gemini-1.5-pro-001=<profile>")
	// The report says so too: stderr scrolls away, and report.md and
	// report.json are read later as the whole pool's numbers.
	assert.Equal(t, []string{"gemini-1.5-pro-001"}, rep.LeftOut)
	leftOut := "left out, labelled but without a router-model profile: gemini-1.5-pro-001"
	assert.Contains(t, stdout.String(), leftOut)
	assert.Contains(t, string(mustRead(t, filepath.Join(out, "report.md"))), leftOut)

	// With it mapped, nothing is left out and nothing is said.
	stdout.Reset()
	stderr.Reset()
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--map", "gemini-1.5-pro-001=gemini-1.5-pro", "--out", out}, &stdout, &stderr), stderr.String())
	assert.NotContains(t, stderr.String(), "left out")
	assert.NotContains(t, stdout.String(), "left out")
	assert.NotContains(t, string(mustRead(t, filepath.Join(out, "report.json"))), "left_out_without_profile")
}
