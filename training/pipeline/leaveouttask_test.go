package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTaskDataset writes a dataset with the given number of prompts per
// task. Half of every task's prompts ask for a poem, which only "weak" gets
// right; the other half ask for a proof, which only "strong" gets right: a
// rule that holds across tasks, so a model that never saw a task can still
// route its prompts. extra lines are appended as they are.
func writeTaskDataset(t *testing.T, dir, name string, tasks map[string]int, extra ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(p, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p, "models.json"), []byte(`{"models": {
		"strong": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30},
		"weak": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}}}`), 0o644))
	var lines []string
	for _, task := range sortedKeys(tasks) {
		for i := range tasks[task] {
			kind, strong, weak := "proof", 1, 0
			if i%2 == 0 {
				kind, strong, weak = "poem", 0, 1
			}
			prompt := fmt.Sprintf("Write a %s about %s number %d", kind, task, i)
			lines = append(lines, fmt.Sprintf(`{"id": "%s/%s/%d", "task": %q, "prompt": %q, "results": {"strong": {"score": %d, "output_tokens": 40}, "weak": {"score": %d, "output_tokens": 20}}}`,
				name, task, i, task, prompt, strong, weak))
		}
	}
	lines = append(lines, extra...)
	require.NoError(t, os.WriteFile(filepath.Join(p, "items.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return p
}

func loadCorpus(t *testing.T, dirs ...string) *corpus.Corpus {
	t.Helper()
	var sets []*dataset.Dataset
	for _, d := range dirs {
		ds, err := dataset.Load(d)
		require.NoError(t, err)
		sets = append(sets, ds)
	}
	c, err := corpus.Build(sets)
	require.NoError(t, err)
	return c
}

func TestTaskHoldoutsPicksLargeTasksAndHidesTheirTexts(t *testing.T) {
	dir := t.TempDir()
	a := writeTaskDataset(t, dir, "mmlu-pro", map[string]int{"cats": 60, "dogs": 40, "birds": 10})
	// Another dataset repeats a cats prompt (other case and spacing) under
	// its own task, and has a single task that covers it whole.
	copyLine := `{"id": "z/copy", "task": "math", "prompt": "write a POEM  about cats number 0", "results": {"strong": {"score": 0}, "weak": {"score": 1}}}`
	b := writeTaskDataset(t, dir, "zeroeval-math", map[string]int{"math": 50}, copyLine)
	c := loadCorpus(t, a, b)
	train, _ := c.Split(0.2, 1)

	names := func(hs []taskHoldout) []string {
		var out []string
		for _, h := range hs {
			out = append(out, c.Datasets[h.dataset].Name+"/"+h.task)
		}
		return out
	}
	tests := []struct {
		name            string
		min, max        int
		want            []string
		wantHeldPrompts []int
	}{
		{"tasks with enough prompts, not a dataset's only task", 30, 0, []string{"mmlu-pro/cats", "mmlu-pro/dogs"}, []int{60, 40}},
		{"smaller minimum", 5, 0, []string{"mmlu-pro/birds", "mmlu-pro/cats", "mmlu-pro/dogs"}, []int{10, 60, 40}},
		{"cap keeps the largest", 5, 1, []string{"mmlu-pro/cats"}, []int{60}},
		{"none large enough", 100, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := taskHoldouts(c, train, tt.min, tt.max)
			require.Equal(t, tt.want, names(hs))
			for k, h := range hs {
				assert.Len(t, h.held, tt.wantHeldPrompts[k], "every prompt of the task, training and validation")
				held := map[string]bool{}
				for _, i := range h.held {
					assert.Equal(t, h.task, c.Examples[i].Task)
					held[sameText(c.Examples[i].Text)] = true
				}
				for _, i := range h.train {
					assert.NotEqual(t, h.task, c.Examples[i].Task, "retrain sees none of the task's prompts")
					assert.False(t, held[sameText(c.Examples[i].Text)], "nor a copy of one: %q", c.Examples[i].Text)
				}
				assert.Greater(t, len(h.train), len(train)/3)
			}
		})
	}
	// The copy is a training prompt of zeroeval-math unless the split put it
	// in validation; either way leaving out cats drops it.
	cats := taskHoldouts(c, train, 5, 1)[0]
	for _, i := range cats.train {
		assert.NotEqual(t, "z/copy", c.Examples[i].ID)
	}
}

func TestRunReportsLeaveOneTaskOut(t *testing.T) {
	dir := t.TempDir()
	a := writeTaskDataset(t, dir, "mmlu-pro", map[string]int{"cats": 80, "dogs": 80, "birds": 80, "fish": 10})
	out := filepath.Join(dir, "out")
	opt := tinyOptions(out, a)
	opt.LeaveOneOut, opt.Epochs = false, 20
	opt.LOTOMinPrompts, opt.LOTOEpochs = 50, 60
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)

	got := res.Metrics.LeaveOneTaskOut
	require.Len(t, got, 3, "fish has too few prompts")
	for _, l := range got {
		t.Run(l.Task, func(t *testing.T) {
			assert.Equal(t, "mmlu-pro", l.Dataset)
			assert.Equal(t, 80, l.Prompts)
			assert.Equal(t, 80, l.RankedPairs, "one pair per prompt, with different scores")
			assert.Equal(t, 60, l.Epochs)
			// Poem vs proof decides the winner in every task, so the model
			// routes an unseen task's prompts; without the prompt, every
			// fixed choice is right half the time.
			assert.Greater(t, l.WithinPromptAUC, 0.8)
			assert.InDelta(t, 0.5, l.ProfileOnlyAUC, 0.1)
			assert.InDelta(t, 0.5, l.BestSingle, 0.01)
			assert.InDelta(t, 0.5, l.TrainedBestSingle, 0.01)
			assert.Greater(t, l.Router, 0.8)
			assert.Greater(t, l.Balanced.Quality, 0.8, "the Balanced band still routes the unseen task")
		})
	}
	u := res.Metrics.UnseenBands
	require.NotNil(t, u)
	assert.Equal(t, 240, u.Prompts, "the three tasks' prompts together")
	assert.Equal(t, chosenOnUnseen, res.Metrics.Bands.ChosenOn)
	assert.LessOrEqual(t, u.Balanced.Loss, 0.02, "the bands keep their limits on the unseen tasks too")
	assert.LessOrEqual(t, u.Cost.Loss, 0.06)
	assert.Greater(t, u.CrossFitBalanced.Quality, 0.8, "each task under the bands chosen without it still routes")

	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	var m struct {
		Tasks []LeaveOneTaskOut `json:"leave_one_task_out"`
	}
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	assert.Equal(t, got, m.Tasks)
	prov, err := os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "## Leave one task out")
	assert.Contains(t, string(prov), "| mmlu-pro / birds | 80 | 80 |")

	opt.LeaveOneTaskOut = false
	res, err = Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Empty(t, res.Metrics.LeaveOneTaskOut)
	prov, err = os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(prov), "Leave one task out")
}
