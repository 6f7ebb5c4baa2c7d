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

// A pool labelled under Amazon Bedrock's and OpenRouter's model IDs is
// evaluated with each as the profile it names, without a --map; a
// Together -Turbo model (its own quantised serving) is left out with the
// closest profile and the --map that brings it in.
func TestEvalReadsHostedProvidersNamesWithoutMap(t *testing.T) {
	classifiertest.RequireRuntime(t)
	out := t.TempDir()
	data := writeEvalDataset(t, t.TempDir(), "hosted", map[string][2]float64{
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0": {3, 15},
		"meta.llama3-1-70b-instruct-v1:0":              {0.72, 0.72},
		"openai/gpt-4o-2024-08-06":                     {2.5, 10},
		"Qwen/Qwen2.5-72B-Instruct-Turbo":              {1.2, 1.2},
	}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr), stderr.String())
	var rep struct {
		Candidates []struct {
			Name    string `json:"name"`
			Profile string `json:"profile"`
		} `json:"candidates"`
		LeftOut []string `json:"left_out_without_profile"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(out, "report.json")), &rep))
	got := map[string]string{}
	for _, c := range rep.Candidates {
		got[c.Name] = c.Profile
	}
	assert.Equal(t, map[string]string{
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet-20241022",
		"meta.llama3-1-70b-instruct-v1:0":              "llama-3.1-70b-instruct",
		"openai/gpt-4o-2024-08-06":                     "gpt-4o-2024-08-06",
	}, got)
	assert.Equal(t, []string{"Qwen/Qwen2.5-72B-Instruct-Turbo"}, rep.LeftOut)
	assert.Contains(t, stderr.String(), "Qwen/Qwen2.5-72B-Instruct-Turbo (closest by name: qwen2.5-72b-instruct)")
	assert.Contains(t, stderr.String(), "--map Qwen/Qwen2.5-72B-Instruct-Turbo=<profile>")
}
