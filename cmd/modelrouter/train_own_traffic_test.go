package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// writeCanonicalLike writes a small dataset named name under root, in the
// canonical format, as ../shared/data/canonical holds them.
func writeCanonicalLike(t *testing.T, root, name string) {
	t.Helper()
	dir := filepath.Join(root, name)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"strong-model": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30},
		"weak-model": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}}}`), 0o644))
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, `{"id": "%s/%d", "source": %q, "task": "t", "prompt": "Question %d of %s about topic %d.", "input_tokens": 12, "results": {"strong-model": {"score": 1, "output_tokens": 40}, "weak-model": {"score": %d, "output_tokens": 20}}}`+"\n",
			name, i, name, i, name, i%5, i%2)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(b.String()), 0o644))
}

// The README's retraining step trains on the canonical datasets and an
// export of the deployment's rated answers. The export is the
// deployment's own data: it trains without --allow-unlicensed, which would
// also take in the research-only datasets of the canonical folder (no
// licence file) and put them in the model the deployment then serves.
func TestRetrainingOnOwnTrafficLeavesOutResearchOnlyDatasets(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := filepath.Join(t.TempDir(), "canonical")
	writeCanonicalLike(t, root, "llmrouter")
	writeCanonicalLike(t, root, "routerbench-zs")

	cat, err := models.Catalog()
	require.NoError(t, err)
	latest := cat.Versions[len(cat.Versions)-1].Models
	traffic := filepath.Join(t.TempDir(), "traffic")
	ex := newFeedbackExport("traffic", cat, traffic)
	for i := range 60 {
		for j, m := range []string{latest[0].ID, latest[len(latest)-1].ID} {
			require.NoError(t, ex.add(store.DecisionRow{RequestID: fmt.Sprintf("r%d-%d", i, j), PromptText: fmt.Sprintf("A question from our users, number %d.", i),
				Answered: m, Deployment: "prod", Usage: router.Usage{PromptTokens: 10, CompletionTokens: 30}, Feedback: &store.Feedback{Score: float64((i + j) % 2)}}))
		}
	}
	require.NoError(t, ex.finish("modelrouter.db"))

	card, stderr := trainTinyOn(t, root, traffic)
	licences := map[string]string{}
	for _, d := range card.Training {
		licences[d.Name] = d.Licence
	}
	assert.Equal(t, map[string]string{"llmrouter": "MIT", "traffic": dataset.OwnTrafficLicence}, licences,
		"the served model is trained on the licensed data and the deployment's own, not on research-only data")
	assert.Contains(t, stderr, "skipping datasets without a licence for the shipped model: [routerbench-zs]")
}

// trainTinyOn runs `modelrouter train` on the canonical folder root and
// the export-feedback folder traffic with the smallest model and no
// validation, so a test trains in seconds, and returns the trained
// model's card and what train wrote on stderr.
func trainTinyOn(t *testing.T, root, traffic string) (models.Card, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "retrained")
	_, stderr, err := runCmd(t, "train", "--data", root, "--data", traffic, "--val", "0", "--pretrain-scale", "0", "--tokenizer-answers", "0",
		"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256",
		"--workers", "1", "--out", out)
	require.NoError(t, err, stderr)

	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	return card, stderr
}
