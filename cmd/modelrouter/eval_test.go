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
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// writeTwoTaskDataset writes a routing dataset whose prompts belong to two
// tasks, alpha (12 prompts) and beta (8), labelled for two models that
// have profiles in the embedded router model.
func writeTwoTaskDataset(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mixed")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	models := `{"models": {"gpt-4o-2024-05-13": {"input_usd_per_mtok": 5, "output_usd_per_mtok": 15},
		"Mixtral-8x7B-Instruct-v0.1": {"input_usd_per_mtok": 0.6, "output_usd_per_mtok": 0.6}}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(models), 0o644))
	var items strings.Builder
	for i := range 20 {
		task, prompt := "alpha", fmt.Sprintf("What is %d times %d? Show the steps.", i, i+7)
		if i >= 12 {
			task, prompt = "beta", fmt.Sprintf("Name a city on river number %d and say why it grew there.", i)
		}
		weak := float64(i % 2)
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("mixed/%d", i), "source": "mixed", "task": task,
			"prompt": prompt, "input_tokens": 20, "results": map[string]any{
				"gpt-4o-2024-05-13":          map[string]any{"score": 1, "output_tokens": 120},
				"Mixtral-8x7B-Instruct-v0.1": map[string]any{"score": weak, "output_tokens": 150}}})
		require.NoError(t, err)
		items.Write(line)
		items.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(items.String()), 0o644))
	return dir
}

func readReportPrompts(t *testing.T, path string) (string, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var rep struct {
		Dataset string `json:"dataset"`
		Prompts int    `json:"prompts"`
	}
	require.NoError(t, json.Unmarshal(b, &rep))
	return rep.Dataset, rep.Prompts
}

func TestEvalByTaskWritesOneReportPerTask(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data, out := writeTwoTaskDataset(t), t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--by-task", "--out", out}, &stdout, &stderr), stderr.String())

	assert.Contains(t, stdout.String(), "mixed task alpha: 12 prompts")
	assert.Contains(t, stdout.String(), "mixed task beta: 8 prompts")
	name, n := readReportPrompts(t, filepath.Join(out, "alpha", "report.json"))
	assert.Equal(t, "mixed task alpha", name)
	assert.Equal(t, 12, n)
	_, n = readReportPrompts(t, filepath.Join(out, "beta", "report.json"))
	assert.Equal(t, 8, n)
}

func TestEvalTaskFilter(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data, out := writeTwoTaskDataset(t), t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--task", "beta", "--out", out}, &stdout, &stderr), stderr.String())
	name, n := readReportPrompts(t, filepath.Join(out, "report.json"))
	assert.Equal(t, "mixed task beta", name)
	assert.Equal(t, 8, n)

	err := runEval(context.Background(), []string{"--data", data, "--task", "gamma"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no task "gamma" (tasks: alpha, beta)`)
}

func TestFolderNameIsOnePathElement(t *testing.T) {
	assert.Equal(t, "mmlu-pro_math", folderName("mmlu-pro/math"))
	assert.Equal(t, "a_b", folderName("a b"))
	assert.Equal(t, "task", folderName(".."))
	assert.Equal(t, "task", folderName(""))
}

// TestEvalReadsAConversationAsTheGatewayDoes: a multi-turn dataset item is
// scored on the text the gateway would route the same conversation on.
func TestEvalReadsAConversationAsTheGatewayDoes(t *testing.T) {
	answer := strings.Repeat("First, expand the square. ", 60)
	msgs := []dataset.Message{
		{Role: "system", Content: "You are a maths tutor."},
		{Role: "user", Content: "Prove that (a+b)^2 >= 4ab for real a, b."},
		{Role: "assistant", Content: answer},
		{Role: "user", Content: "Now explain it to a ten-year-old."},
	}
	item := dataset.Item{Prompt: msgs[3].Content, Messages: msgs}
	body, err := json.Marshal(map[string]any{"model": "router", "messages": msgs})
	require.NoError(t, err)
	req, err := openai.Parse(openai.Chat, body)
	require.NoError(t, err)

	assert.Equal(t, req.Prompt, item.Text())
	assert.Contains(t, item.Text(), "Prove that", "the earlier question is read next to a long answer")
}

// TestEvalPredictsCatalogModelsWithTheirStandIns: export-feedback's data
// names catalog models; eval predicts them as the gateway does, with their
// stand-ins, without a --map.
func TestEvalPredictsCatalogModelsWithTheirStandIns(t *testing.T) {
	classifiertest.RequireRuntime(t)
	dir := filepath.Join(t.TempDir(), "traffic")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"gpt-5-2025-08-07": {"input_usd_per_mtok": 1.25, "output_usd_per_mtok": 10},
		"gpt-4.1-nano-2025-04-14": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.4}}}`), 0o644))
	var items strings.Builder
	for i := range 10 {
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic/%d", i), "source": "traffic", "task": "model-router",
			"prompt": fmt.Sprintf("Explain idea number %d in one paragraph.", i), "input_tokens": 12, "results": map[string]any{
				"gpt-5-2025-08-07":        map[string]any{"score": 1, "output_tokens": 200},
				"gpt-4.1-nano-2025-04-14": map[string]any{"score": float64(i % 2), "output_tokens": 150}}})
		require.NoError(t, err)
		items.Write(line)
		items.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(items.String()), 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", dir}, &stdout, &stderr), stderr.String())
	assert.Regexp(t, `gpt-5-2025-08-07 +profile o1-mini-2024-09-12 `, stdout.String())
	assert.Regexp(t, `gpt-4.1-nano-2025-04-14 +profile llama-3.1-70b-instruct `, stdout.String())
}

func TestEvalFitProfilesAddsTheRow(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data, out := writeTwoTaskDataset(t), t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--fit-profiles", "--out", out}, &stdout, &stderr), stderr.String())
	assert.Regexp(t, `(?m)^fitted_profiles +quality `, stdout.String())
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	require.NoError(t, err)
	var rep struct {
		Baselines map[string]struct {
			APGR *float64 `json:"apgr"`
			AIQ  float64  `json:"aiq"`
		} `json:"baselines"`
	}
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Contains(t, rep.Baselines, "fitted_profiles")
	assert.NotNil(t, rep.Baselines["fitted_profiles"].APGR)
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "fitted_profiles")

	stdout.Reset()
	require.NoError(t, runEval(context.Background(), []string{"--data", data}, &stdout, &stderr), stderr.String())
	assert.NotContains(t, stdout.String(), "fitted_profiles", "only when asked")
}
