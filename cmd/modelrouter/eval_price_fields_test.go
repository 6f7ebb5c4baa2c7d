package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// A models.json written with prices per token under LiteLLM's names
// (input_cost_per_token) instead of the format's USD per million tokens
// decoded as $0 for every model: eval reported $0 per 1,000 prompts and an
// AIQ over no cost range, without a word. It is refused, naming the fields
// the entry has and the ones the format wants. A price of 0 given as a
// number (a self-hosted model) is still a price.
func TestEvalRefusesAPriceEntryWithoutTheFormatsPriceFields(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := writeEvalDataset(t, t.TempDir(), "pertoken", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0, 0}}, 8, gptAlwaysRight)
	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data}, &stdout, &stderr), "a price of 0 is a price: %s", stderr.String())

	path := filepath.Join(data, "models.json")
	b, err := json.Marshal(map[string]any{"models": map[string]any{
		"gpt-4o-2024-05-13":          map[string]any{"input_cost_per_token": 5e-6, "output_cost_per_token": 15e-6},
		"mixtral-8x7b-instruct-v0.1": map[string]any{"input_usd_per_mtok": 0.6, "output_usd_per_mtok": 0.6},
	}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	for _, extra := range [][]string{nil, {"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1"}, {"--task", "t"}} {
		stdout.Reset()
		err = runEval(context.Background(), append([]string{"--data", data}, extra...), &stdout, &stderr)
		require.Error(t, err, "%v: priced at $0 unseen", extra)
		assert.ErrorContains(t, err, `"gpt-4o-2024-05-13"`)
		assert.ErrorContains(t, err, "only input_cost_per_token, output_cost_per_token")
		assert.ErrorContains(t, err, "input_usd_per_mtok and output_usd_per_mtok")
		assert.Empty(t, stdout.String(), "no report from $0 prices")
	}
	// One report per task: the task is skipped with the same words.
	stdout.Reset()
	stderr.Reset()
	require.Error(t, runEval(context.Background(), []string{"--data", data, "--by-task"}, &stdout, &stderr), "--by-task: priced at $0 unseen")
	assert.Contains(t, stderr.String(), "only input_cost_per_token, output_cost_per_token")
	assert.Empty(t, stdout.String(), "no report from $0 prices")
}
