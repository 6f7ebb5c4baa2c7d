package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// profilesInReport reads report.json's candidates: dataset name -> profile.
func profilesInReport(t *testing.T, dir string) map[string]string {
	t.Helper()
	var rep struct {
		Candidates []struct {
			Name    string `json:"name"`
			Profile string `json:"profile"`
		} `json:"candidates"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(dir, "report.json")), &rep), dir)
	out := map[string]string{}
	for _, c := range rep.Candidates {
		out[c.Name] = c.Profile
	}
	return out
}

// A --map entry written with one spelling of a model applies where the
// dataset labels it under another spelling of the same profile name, as a
// --candidates name does (RouteLLM's MT-Bench says
// "mixtral-8x7b-instruct-v0.1", its MMLU answers
// "mistralai/Mixtral-8x7B-Instruct-v0.1", RouterBench
// "mistralai/mixtral-8x7b-chat"). It was refused for one dataset ("not a
// candidate") and, over a folder, ignored in silence where the spelling
// differed, or refused when no models.json had the entry's spelling.
func TestEvalMapFollowsACandidateIntoTheDatasetsSpelling(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, root, "mt-bench", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "mmlu", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mistralai/Mixtral-8x7B-Instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	flags := []string{"--candidates", "gpt-4-1106-preview,mixtral-8x7b-instruct-v0.1",
		"--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09", "--map", "mixtral-8x7b-instruct-v0.1=mistral-7b-instruct-v0.1"}

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), append([]string{"--data", root, "--out", out}, flags...), &stdout, &stderr), stderr.String())
	assert.Equal(t, "mistral-7b-instruct-v0.1", profilesInReport(t, filepath.Join(out, "mt-bench"))["mixtral-8x7b-instruct-v0.1"])
	assert.Equal(t, "mistral-7b-instruct-v0.1", profilesInReport(t, filepath.Join(out, "mmlu"))["mistralai/Mixtral-8x7B-Instruct-v0.1"],
		"the --map entry applies to the dataset's spelling")
	assert.Contains(t, stderr.String(), "mmlu: --map mixtral-8x7b-instruct-v0.1 applies to mistralai/Mixtral-8x7B-Instruct-v0.1")
	assert.NotContains(t, stderr.String(), "applied nowhere")

	// One dataset, the entry in the other spelling.
	one := t.TempDir()
	stderr.Reset()
	require.NoError(t, runEval(context.Background(), append([]string{"--data", filepath.Join(root, "mmlu"), "--out", one}, flags...), &stdout, &stderr), stderr.String())
	assert.Equal(t, "mistral-7b-instruct-v0.1", profilesInReport(t, one)["mistralai/Mixtral-8x7B-Instruct-v0.1"])

	// A folder where no models.json has the entry's spelling.
	other := t.TempDir()
	writeEvalDataset(t, other, "mmlu", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mistralai/Mixtral-8x7B-Instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, other, "gsm8k", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mistralai/mixtral-8x7b-chat": {0.6, 0.6}}, 8, gptAlwaysRight)
	dst := t.TempDir()
	stderr.Reset()
	require.NoError(t, runEval(context.Background(), append([]string{"--data", other, "--out", dst}, flags...), &stdout, &stderr), stderr.String())
	assert.Equal(t, "mistral-7b-instruct-v0.1", profilesInReport(t, filepath.Join(dst, "gsm8k"))["mistralai/mixtral-8x7b-chat"])
	assert.Equal(t, "mistral-7b-instruct-v0.1", profilesInReport(t, filepath.Join(dst, "mmlu"))["mistralai/Mixtral-8x7B-Instruct-v0.1"])
}

// Over a folder, --candidates picks some of a dataset's models and a --map
// entry may name another of them (one --map list kept for several runs):
// the entry is for the parts where its model is a candidate, as for one
// the dataset does not label. It stopped the run ("not a candidate").
func TestEvalMapOfALabelledModelThatIsNoCandidateOverAFolder(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}, "gpt-4-1106-preview": {10, 30}}
	writeEvalDataset(t, root, "a", prices, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b", prices, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", root, "--out", out,
		"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1", "--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09"}, &stdout, &stderr), stderr.String())
	for _, name := range []string{"a", "b"} {
		got := profilesInReport(t, filepath.Join(out, name))
		assert.Equal(t, map[string]string{"gpt-4o-2024-05-13": "gpt-4o-2024-05-13", "mixtral-8x7b-instruct-v0.1": "mixtral-8x7b-instruct-v0.1"}, got, name)
	}
	assert.Contains(t, stderr.String(), "--map for gpt-4-1106-preview applied nowhere", "the entry changed nothing")
}
