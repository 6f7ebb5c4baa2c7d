package onnx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
)

// canonicalPrompts reads every step-th prompt of each canonical dataset
// (shared/data next to the repository), or skips when there is no data.
func canonicalPrompts(t *testing.T, step int) []string {
	t.Helper()
	dir := os.Getenv("MODELROUTER_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "canonical", "*", "items.jsonl"))
	if len(files) == 0 {
		t.Skip("no canonical datasets under " + dir)
	}
	var out []string
	for _, path := range files {
		f, err := os.Open(path)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for n := 0; sc.Scan(); n++ {
			if n%step != 0 {
				continue
			}
			var item struct {
				Prompt string `json:"prompt"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &item))
			out = append(out, item.Prompt)
		}
		require.NoError(t, sc.Err())
		f.Close()
	}
	return out
}

// trainedArtifacts is the folder of a trained model: the shipped one, or
// MODELROUTER_ARTIFACTS (e.g. a `modelrouter train --pool mean+max --out
// DIR` run to check before shipping it).
func trainedArtifacts() string {
	if dir := os.Getenv("MODELROUTER_ARTIFACTS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "models", "artifacts")
}

// TestTrainedModelMatchesForwardOnRealPrompts holds the shipped router.onnx
// to the Go forward pass of its own weights on real prompts, batched with
// padding the way the classifier runs them.
func TestTrainedModelMatchesForwardOnRealPrompts(t *testing.T) {
	files, err := models.LoadArtifacts(os.DirFS(trainedArtifacts()))
	if err != nil {
		t.Skipf("no trained router model: %v", err)
	}
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	w, err := Read(files.RouterONNX)
	require.NoError(t, err)
	require.Equal(t, len(card.Profiles), w.Spec.Profiles)
	tok, err := classifier.NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	sess := session(t, files.RouterONNX)

	prompts := canonicalPrompts(t, 25)
	head, tail := card.Truncation.Head, card.Truncation.Tail
	const batch = 32
	worst := 0.0
	for start := 0; start < len(prompts); start += batch {
		var rows [][]int64
		for _, p := range prompts[start:min(start+batch, len(prompts))] {
			rows = append(rows, classifier.Truncate(tok.Encode(p), head, tail))
		}
		worst = max(worst, requireParity(t, w, sess, rows))
	}
	// The README quotes this line (go test -v): keep its wording in step.
	t.Logf("%d prompts, worst difference %.2g (absolute; relative for output_tokens; limit 1e-4)", len(prompts), worst)
}

// Rewriting the shipped router.onnx from the weights read out of it gives
// the same bytes: the writer still makes exactly the files it made (a
// mean-only model's graph and metadata do not change with new options).
func TestRewritingTheShippedModelGivesItsBytes(t *testing.T) {
	files, err := models.LoadArtifacts(os.DirFS(filepath.Join("..", "..", "models", "artifacts")))
	if err != nil {
		t.Skipf("no trained router model: %v", err)
	}
	w, err := Read(files.RouterONNX)
	require.NoError(t, err)
	require.Equal(t, "", w.Spec.Pool)
	require.True(t, bytes.Equal(files.RouterONNX, encode(t, w)), "router.onnx re-encodes to other bytes")
}
