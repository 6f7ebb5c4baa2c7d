package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// eval over a folder of datasets (RouteLLM's MT-Bench, MMLU, GSM8K) printed
// one table each and nothing across them. Now a summary follows, one line
// per dataset with the router's APGR among its numbers, skipped datasets
// with their reason, and --out gets it as summary.md and summary.json; one
// dataset prints none.
func TestEvalOverAFolderSummarisesEachDataset(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, root, "a-mtbench", evalOutPrices, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b-gsm8k", evalOutPrices, 10, func(i int, m string) float64 {
		if strings.HasPrefix(m, "gpt") {
			return float64(i % 3 / 2)
		}
		return float64(i % 2)
	})
	writeEvalDataset(t, root, "c-one-model", map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}}, 4, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", root, "--out", out}, &stdout, &stderr), stderr.String())

	_, summary, found := strings.Cut(stdout.String(), "\nsummary: ")
	require.True(t, found, "no summary after the tables:\n%s", stdout.String())
	var sj struct {
		Datasets map[string]struct {
			Prompts int      `json:"prompts"`
			APGR    *float64 `json:"apgr"`
		} `json:"datasets"`
		Skipped map[string]string `json:"skipped"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(out, "summary.json")), &sj))
	md := string(mustRead(t, filepath.Join(out, "summary.md")))
	for _, name := range []string{"a-mtbench", "b-gsm8k"} {
		var rep struct {
			Prompts int `json:"prompts"`
			Router  struct {
				APGR *float64 `json:"apgr"`
			} `json:"router"`
		}
		require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(out, name, "report.json")), &rep), name)
		require.NotNil(t, rep.Router.APGR, "%s: a two-model set has an APGR", name)
		apgr := opt3(*rep.Router.APGR)

		var lines []string
		for _, l := range strings.Split(summary, "\n") {
			if strings.HasPrefix(l, name+" ") {
				lines = append(lines, l)
			}
		}
		require.Len(t, lines, 1, "%s: one summary line:\n%s", name, summary)
		assert.Contains(t, strings.Fields(lines[0]), apgr, "%s: the summary's APGR is report.json's", name)
		assert.Contains(t, md, "| "+name+" | ", name)
		assert.Contains(t, md, " "+apgr+" |", name)
		require.Contains(t, sj.Datasets, name)
		assert.Equal(t, rep.Prompts, sj.Datasets[name].Prompts, name)
		assert.Equal(t, *rep.Router.APGR, *sj.Datasets[name].APGR, name)
	}
	assert.Contains(t, summary, "skipped c-one-model: it labels only gpt-4o-2024-05-13")
	assert.Contains(t, sj.Skipped["c-one-model"], "it labels only gpt-4o-2024-05-13")

	// A rerun replaces the summary eval wrote; a foreign summary.json in
	// --out is refused before any work.
	require.NoError(t, runEval(context.Background(), []string{"--data", root, "--out", out}, &stdout, &stderr), stderr.String())
	foreign := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(foreign, "summary.json"), []byte(`{"total": 3}`), 0o644))
	err := runEval(context.Background(), []string{"--data", root, "--out", foreign}, &stdout, &stderr)
	assert.ErrorContains(t, err, "its summary.json is not an eval summary")
	assert.NoDirExists(t, filepath.Join(foreign, "a-mtbench"))

	// One dataset: its table alone.
	stdout.Reset()
	one := t.TempDir()
	require.NoError(t, runEval(context.Background(), []string{"--data", filepath.Join(root, "a-mtbench"), "--out", one}, &stdout, &stderr), stderr.String())
	assert.NotContains(t, stdout.String(), "summary:")
	assert.NoFileExists(t, filepath.Join(one, "summary.md"))
}

// opt3 formats a number as the eval tables do.
func opt3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
