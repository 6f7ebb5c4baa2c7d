package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/wordpiece"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeLengthsDataset writes a length-only dataset (like
// arena-hard-lengths) of n poem prompts answered by both toy models.
func writeLengthsDataset(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "arena-hard-lengths")
	require.NoError(t, os.MkdirAll(p, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p, "models.json"), []byte(`{"models": {
		"Strong-Model": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30},
		"weak_model@cheap": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}}}`), 0o644))
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"id": "ah/%d", "source": "ah", "task": "hard_prompt", "prompt": "Write a poem about the sea, verse %d", "results": {"Strong-Model": {"score": null, "output_tokens": 300}, "weak_model@cheap": {"score": null, "output_tokens": 200}}}`, i, i))
	}
	require.NoError(t, os.WriteFile(filepath.Join(p, "items.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return p
}

// A leaderboard that puts the weak model far above the strong one on the
// poem prompts (the reverse of the per-prompt data, so the test can tell)
// makes the trained model predict that order there, is recorded in
// router.json and PROVENANCE.md, and never becomes a validation label.
func TestRunLearnsLeaderboardLevels(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "mmlu-pro", 200, 1)
	lengths := writeLengthsDataset(t, dir, 120)
	board := filepath.Join(dir, "board.csv")
	require.NoError(t, os.WriteFile(board, []byte("model,score\nweak_model,90\nStrong-Model,10\nunknown-model,50\n"), 0o644))
	run := func(name string, levels []dataset.LevelSource) (*Result, float64) {
		opt := tinyOptions(filepath.Join(dir, name), a, lengths)
		opt.LeaveOneOut, opt.LeaveOneTaskOut, opt.Levels = false, false, levels
		res, err := Run(context.Background(), opt)
		require.NoError(t, err)
		enc, err := wordpiece.Load(strings.NewReader(string(res.Tokenizer)))
		require.NoError(t, err)
		ids, _ := enc.Encode("Write a poem about the sea, verse 7")
		// Logits before the Platt scaling, which saturates on toy data.
		q, _, _ := res.Params.Predict(ids, res.Offset)
		return res, q[1] - q[0] // weak minus strong
	}
	with, gapWith := run("with", []dataset.LevelSource{{Dataset: "arena-hard-lengths", File: board}})
	_, gapWithout := run("without", nil)
	assert.Greater(t, gapWith, 1.0, "the leaderboard's order on its prompts")
	assert.Less(t, gapWithout, 0.0, "without it the strong model leads everywhere")

	lv := with.Metrics.Training.Levels
	require.Len(t, lv, 1)
	assert.Equal(t, "board.csv", lv[0].File)
	assert.Equal(t, []string{"strong-model", "weak.model"}, lv[0].Models)
	assert.Equal(t, []string{"unknown-model"}, lv[0].Unused)
	assert.Equal(t, 240, lv[0].Labels)
	assert.NotContains(t, with.Metrics.Validation.WithinPromptAUC, "arena-hard-lengths", "a level is no per-prompt truth")
	assert.Contains(t, with.Metrics.Training.DatasetOffsets, "arena-hard-lengths")
	m := writtenMetrics(t, filepath.Join(dir, "with"))
	assert.Equal(t, lv, m.Training.Levels)
	prov, err := os.ReadFile(filepath.Join(dir, "with", "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "board.csv's model-level scores are the quality target of 2 profiles")
}

// The default leaderboard is skipped when its dataset is not trained on; a
// named one is an error then.
func TestRunSkipsAnOptionalLeaderboardWithoutItsDataset(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "mmlu-pro", 100, 1)
	board := filepath.Join(dir, "board.csv")
	require.NoError(t, os.WriteFile(board, []byte("model,score\nweak_model,90\n"), 0o644))
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.LeaveOneTaskOut, opt.Epochs = false, false, 2
	opt.Levels = []dataset.LevelSource{{Dataset: "arena-hard-lengths", File: board, Optional: true}}
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Empty(t, res.Metrics.Training.Levels)

	opt.Levels[0].Optional = false
	_, err = Run(context.Background(), opt)
	assert.ErrorContains(t, err, `no dataset "arena-hard-lengths" among the training data`)
}
