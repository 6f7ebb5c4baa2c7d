package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadToy(t *testing.T, dir, name string, seed uint64) *dataset.Dataset {
	t.Helper()
	d, err := dataset.Load(writeToyDataset(t, dir, name, 20, seed))
	require.NoError(t, err)
	return d
}

func TestHideLabelsRemovesOneProfileFromOneDataset(t *testing.T) {
	dir := t.TempDir()
	a, b := loadToy(t, dir, "zeroeval-math", 1), loadToy(t, dir, "mmlu-pro", 2)
	// The dataset's id "weak_model@cheap" and the profile name both work.
	hidden, err := HideLabels([]*dataset.Dataset{a, b}, []string{"weak.model@mmlu-pro"})
	require.NoError(t, err)
	assert.Equal(t, []HiddenLabels{{Profile: "weak.model", Dataset: "mmlu-pro", Results: 20}}, hidden)
	for _, it := range b.Items {
		assert.NotContains(t, it.Results, "weak_model@cheap")
		assert.Contains(t, it.Results, "Strong-Model")
	}
	for _, it := range a.Items {
		assert.Contains(t, it.Results, "weak_model@cheap", "the other dataset keeps its labels")
	}

	hidden, err = HideLabels([]*dataset.Dataset{a, b}, []string{"Strong-Model@zeroeval-math"})
	require.NoError(t, err)
	assert.Equal(t, "strong-model", hidden[0].Profile)
}

func TestHideLabelsRejectsWhatItCannotHide(t *testing.T) {
	dir := t.TempDir()
	sets := []*dataset.Dataset{loadToy(t, dir, "zeroeval-math", 1), loadToy(t, dir, "mmlu-pro", 2)}
	for spec, want := range map[string]string{
		"strong-model":               "want PROFILE@DATASET",
		"@mmlu-pro":                  "want PROFILE@DATASET",
		"strong-model@":              "want PROFILE@DATASET",
		"strong-model@llmrouter":     `no dataset "llmrouter" among the training data (mmlu-pro, zeroeval-math)`,
		"gpt-4o-2024-05-13@mmlu-pro": "dataset mmlu-pro has no results of profile gpt-4o-2024-05-13",
	} {
		_, err := HideLabels(sets, []string{spec})
		assert.ErrorContains(t, err, want, spec)
	}
}

func TestRunRecordsHiddenLabels(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 200, 1)
	b := writeToyDataset(t, dir, "mmlu-pro", 200, 2)
	out := filepath.Join(dir, "out")
	opt := tinyOptions(out, a, b)
	opt.HideLabels = []string{"weak_model@mmlu-pro"}
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)

	// The profile keeps its column (it is labelled in the other dataset);
	// only the hidden results are gone from the training data.
	assert.Equal(t, []string{"strong-model", "weak.model"}, res.Corpus.Profiles)
	for _, d := range res.Corpus.Datasets {
		want := 400
		if d.Name == "mmlu-pro" {
			want = 200
		}
		assert.Equal(t, want, d.QualityLabels, d.Name)
	}
	m := writtenMetrics(t, out)
	assert.Equal(t, []HiddenLabels{{Profile: "weak.model", Dataset: "mmlu-pro", Results: 200}}, m.Training.HiddenLabels)
	// mmlu-pro now labels one profile per prompt: nothing to rank there,
	// so it has no within-prompt AUC (rather than a NaN that breaks JSON).
	assert.NotContains(t, m.Validation.WithinPromptAUC, "mmlu-pro")
	assert.Contains(t, m.Validation.WithinPromptAUC, "zeroeval-math")
	prov, err := os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "Labels hidden for an experiment (--hide-labels): 200 results of weak.model in mmlu-pro")
}
