package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// writeEvalDataset writes a routing dataset folder dir/name with the given
// models (name -> input and output USD per Mtok) and n prompts; score(i, m)
// gives model m's score on prompt i.
func writeEvalDataset(t *testing.T, dir, name string, prices map[string][2]float64, n int, score func(i int, m string) float64) string {
	t.Helper()
	d := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(d, 0o755))
	mj := map[string]any{}
	for m, p := range prices {
		mj[m] = map[string]any{"input_usd_per_mtok": p[0], "output_usd_per_mtok": p[1]}
	}
	b, err := json.Marshal(map[string]any{"models": mj})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(d, "models.json"), b, 0o644))
	var items strings.Builder
	for i := range n {
		res := map[string]any{}
		for m := range prices {
			res[m] = map[string]any{"score": score(i, m), "output_tokens": 100 + 10*i}
		}
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("%s/%d", name, i), "source": name, "task": "t",
			"prompt": fmt.Sprintf("Question %d: explain step %d of the proof about rivers and cities.", i, i), "input_tokens": 20, "results": res})
		require.NoError(t, err)
		items.Write(line)
		items.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(d, "items.jsonl"), []byte(items.String()), 0o644))
	return d
}

// gptAlwaysRight: the GPT models are right on every prompt, the others on
// every other one.
func gptAlwaysRight(i int, m string) float64 {
	if strings.HasPrefix(strings.ToLower(m), "gpt") {
		return 1
	}
	return float64(i % 2)
}

// --reasoning-tokens takes a count; NaN and Inf parse as floats but would
// make every cost of that candidate non-finite, so they are refused at
// flag parsing, as a negative count is (before the router model loads, so
// no runtime is needed).
func TestEvalRefusesANonFiniteReasoningTokenCount(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "a", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	for _, v := range []string{"NaN", "Inf", "+Inf", "-Inf", "-1"} {
		var stdout, stderr bytes.Buffer
		err := runEval(context.Background(), []string{"--data", data, "--reasoning-tokens", "gpt-4o-2024-05-13=" + v}, &stdout, &stderr)
		assert.Empty(t, stdout.String(), "%s: refused before evaluating", v)
		if assert.Error(t, err, "--reasoning-tokens ...=%s must be refused", v) {
			assert.Contains(t, err.Error(), "--reasoning-tokens")
			assert.Contains(t, err.Error(), "finite count >= 0")
		}
	}
}

// A dataset where fewer than two labelled models have a profile is refused
// without --by-task; with --by-task every task is skipped with that reason,
// and a run that evaluated no task fails the same way rather than exit 0
// with nothing written.
func TestEvalByTaskFailsWhenNoTaskIsEvaluated(t *testing.T) {
	classifiertest.RequireRuntime(t)
	out := t.TempDir()
	data := writeEvalDataset(t, t.TempDir(), "b", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.Error(t, runEval(context.Background(), []string{"--data", data}, &stdout, &stderr), "without --by-task the dataset is refused")

	stdout.Reset()
	stderr.Reset()
	err := runEval(context.Background(), []string{"--data", data, "--by-task", "--out", out}, &stdout, &stderr)
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries, "nothing was evaluated")
	require.Error(t, err, "--by-task with no task evaluated must not succeed; stderr:\n%s", stderr.String())
	assert.ErrorContains(t, err, "no task could be evaluated")
	assert.Contains(t, stderr.String(), "skipped, fewer than 2 of its labelled models have a router-model profile")
}

// A folder of datasets that are all skipped fails: nothing was evaluated.
func TestEvalFolderFailsWhenEveryDatasetIsSkipped(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	for _, name := range []string{"b", "c"} {
		writeEvalDataset(t, root, name, map[string][2]float64{
			"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	}
	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root, "--out", out}, &stdout, &stderr)
	require.Error(t, err, stderr.String())
	assert.ErrorContains(t, err, "no dataset could be evaluated")
	assert.Equal(t, 2, strings.Count(stderr.String(), "skipped, fewer than 2"), stderr.String())
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries)
}

// Without --candidates, a --map to a profile the router model does not
// have (a typo) would drop that model from the default candidates; the
// error names the unknown profile, as with --candidates.
func TestEvalMapToAnUnknownProfileNamesTheProfile(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := writeEvalDataset(t, t.TempDir(), "three", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}, "llama-3.1-8b-instruct": {0.1, 0.1}}, 6,
		func(i int, m string) float64 {
			switch m {
			case "gpt-4o-2024-05-13":
				return 1
			case "mixtral-8x7b-instruct-v0.1":
				return float64(i % 2)
			}
			return float64((i / 2) % 2)
		})

	for _, extra := range [][]string{nil, {"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1"}} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"--data", data, "--map", "gpt-4o-2024-05-13=gpt-4o-typo"}, extra...)
		err := runEval(context.Background(), args, &stdout, &stderr)
		require.Error(t, err, "%v", extra)
		assert.Contains(t, err.Error(), `profile "gpt-4o-typo"`, "the error names the profile the router model does not predict")
		assert.NotContains(t, err.Error(), "which is not a candidate")
	}
}

// `eval --data ROOT --map M=profile` where M is a model of only one of the
// datasets under ROOT (as the skip message of that dataset suggests): the
// dataset with M is evaluated with M mapped, the other one as without the
// flag. A --map naming a model of none of them is still refused, before
// any evaluation.
func TestEvalMapOfOneDatasetUnderAFolderOfSeveral(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, root, "a", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root, "--out", out,
		"--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09"}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())

	for _, name := range []string{"a", "b"} {
		b, err := os.ReadFile(filepath.Join(out, name, "report.json"))
		require.NoError(t, err, "report of dataset %s", name)
		var rep struct {
			Candidates []struct {
				Name    string `json:"name"`
				Profile string `json:"profile"`
			} `json:"candidates"`
		}
		require.NoError(t, json.Unmarshal(b, &rep))
		require.Len(t, rep.Candidates, 2, name)
		if name == "b" {
			for _, c := range rep.Candidates {
				if c.Name == "gpt-4-1106-preview" {
					assert.Equal(t, "gpt-4-turbo-2024-04-09", c.Profile)
				}
			}
		}
	}

	stdout.Reset()
	stderr.Reset()
	err = runEval(context.Background(), []string{"--data", root, "--map", "gpt-4-1106-previw=gpt-4-turbo-2024-04-09"}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, `--map names "gpt-4-1106-previw", a model of none of the datasets to evaluate (a, b)`)
	assert.Empty(t, stdout.String(), "refused before evaluating")

	// One dataset: a --map naming a model it does not have stays an error.
	err = runEval(context.Background(), []string{"--data", filepath.Join(root, "a"), "--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09"}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, `--map names "gpt-4-1106-preview", which is not a candidate`)
}

// --reasoning-tokens for a model of one dataset under a folder of several
// bills it there and leaves the others alone, as --map does.
func TestEvalReasoningTokensOfOneDatasetUnderAFolderOfSeveral(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, root, "a", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "c", map[string][2]float64{
		"gpt-4o-mini-2024-07-18": {0.15, 0.6}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root, "--out", out,
		"--reasoning-tokens", "gpt-4o-2024-05-13=100"}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	for name, want := range map[string]float64{"a": 100, "c": 0} {
		b, err := os.ReadFile(filepath.Join(out, name, "report.json"))
		require.NoError(t, err, "report of dataset %s", name)
		var rep struct {
			Candidates []struct {
				Name            string  `json:"name"`
				ReasoningTokens float64 `json:"reasoning_tokens"`
			} `json:"candidates"`
		}
		require.NoError(t, json.Unmarshal(b, &rep))
		require.Len(t, rep.Candidates, 2, name)
		total := 0.0
		for _, c := range rep.Candidates {
			total += c.ReasoningTokens
		}
		assert.Equal(t, want, total, name)
	}

	err = runEval(context.Background(), []string{"--data", root, "--reasoning-tokens", "o1-nope=100"}, &stdout, &stderr)
	assert.ErrorContains(t, err, `--reasoning-tokens names "o1-nope", a model of none of the datasets to evaluate (a, c)`)
}

// Over a folder of datasets, a --map entry whose model a models.json lists
// but no evaluated dataset labels changes nothing: eval says so at the end
// instead of passing over it in silence. An entry that applied says nothing.
func TestEvalWarnsOfAMapEntryThatAppliedNowhere(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := t.TempDir()
	writeEvalDataset(t, root, "a", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	// b lists a priced model that none of its items labels.
	path := filepath.Join(root, "b", "models.json")
	var mj map[string]map[string]any
	require.NoError(t, json.Unmarshal(mustRead(t, path), &mj))
	mj["models"]["claude-2.1"] = map[string]any{"input_usd_per_mtok": 8, "output_usd_per_mtok": 24}
	b, err := json.Marshal(mj)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", root,
		"--map", "gpt-4-1106-preview=gpt-4-turbo-2024-04-09", "--map", "claude-2.1=claude-3-5-sonnet-20240620"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), "--map for claude-2.1 applied nowhere")
	assert.NotContains(t, stderr.String(), "gpt-4-1106-preview applied nowhere")
}
