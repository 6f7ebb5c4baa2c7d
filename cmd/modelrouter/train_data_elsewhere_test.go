package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// train run where the gateway runs, with --data naming the canonical folder
// elsewhere, reads the Arena-Hard answers and the leaderboard next to that
// folder, as from the checkout: not a stop for want of --answers-dir, nor,
// with it, a model trained without the leaderboard and not a word said.
func TestTrainReadsTheAnswersAndLeaderboardNextToTheDataItIsGiven(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := filepath.Join(t.TempDir(), "data")
	root := filepath.Join(data, "canonical")
	writeCanonicalLike(t, root, "llmrouter")
	lengths := filepath.Join(root, "arena-hard-lengths") // answer lengths only, as the real one
	require.NoError(t, os.MkdirAll(lengths, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(lengths, "models.json"), []byte(`{"models": {}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(lengths, "items.jsonl"),
		[]byte(`{"id": "a/1", "source": "a", "task": "t", "prompt": "Tell me about routers.", "input_tokens": 5, "results": {"strong-model": {"output_tokens": 40}, "weak-model": {"output_tokens": 20}}}`+"\n"), 0o644))
	answers := filepath.Join(data, "arena_hard_auto", "arena-hard-v0.1", "model_answer")
	board := filepath.Join(data, "arena_hard_auto", "leaderboard")
	require.NoError(t, os.MkdirAll(answers, 0o755))
	require.NoError(t, os.MkdirAll(board, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(answers, "strong-model.jsonl"),
		[]byte(`{"choices": [{"turns": [{"content": "An answer about routers."}]}]}`+"\n"+`{"choices": [{"turns": [{"content": "Another answer."}]}]}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(board, "arena_hard_leaderboard_20240731.csv"),
		[]byte("model,score\nstrong-model,80\nweak-model,20\n"), 0o644))

	t.Chdir(t.TempDir()) // where no ../shared/data is
	_, stderr, err := runCmd(t, "train", "--data", root, "--val", "0", "--pretrain-scale", "0", "--tokenizer-answers", "2",
		"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256",
		"--workers", "1", "--out", filepath.Join(t.TempDir(), "model"))
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "training prompts and 2 model answers", "the answers next to --data")
	assert.Contains(t, stderr, "levels: 2 profiles' leaderboard scores", "the leaderboard next to --data")
}
