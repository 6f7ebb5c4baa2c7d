package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// export-feedback writes a logged conversation's routed text as an item's
// prompt, and train and eval read it by its last turn (the mark PromptText
// writes). simulate on that dataset folder must give the router model the
// same text, or its shares differ from what the gateway, train and eval
// made of the same rows.
func TestSimulateReadsAnExportedConversationAsTrainAndEvalDo(t *testing.T) {
	pred := fakeRouterModel(t)
	var mu sync.Mutex
	var seen []string
	inner := pred.PredictFn
	pred.PredictFn = func(prompt string) router.Prediction {
		mu.Lock()
		seen = append(seen, prompt)
		mu.Unlock()
		return inner(prompt)
	}
	routed := router.PromptText([]router.Turn{{Role: "user", Text: "Write a sort in Go."}, {Role: "assistant", Text: "sort.Ints(x)"}, {Role: "user", Text: "And in Rust?"}})
	item := dataset.Item{ID: "traffic/req-1", Source: "traffic", Prompt: routed}
	line, err := json.Marshal(item)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), append(line, '\n'), 0o644))

	_, _, err = runCmd(t, "simulate", "--prompts", dir, "--modes", "balanced")
	require.NoError(t, err)
	require.NotEmpty(t, seen)
	for _, s := range seen {
		require.Equal(t, item.Text(), s, "the router model reads the exported conversation as train and eval read it")
	}
}
