package corpus

import (
	"testing"

	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two profiles labelled per prompt in "mmlu-pro"; "arena-hard-lengths" has
// answer lengths of one of them and of a model with no profile.
func levelsCorpus(t *testing.T) *Corpus {
	t.Helper()
	mmlu := &dataset.Dataset{Name: "mmlu-pro", Models: map[string]dataset.Price{
		"gpt-4o-2024-05-13": {Input: 5, Output: 15}, "Mixtral-8x7B-Instruct-v0.1": {Input: 0.6, Output: 0.6},
	}, Items: []dataset.Item{{ID: "m/1", Prompt: "q", Results: map[string]dataset.Result{
		"gpt-4o-2024-05-13":          {Score: f(1)},
		"Mixtral-8x7B-Instruct-v0.1": {Score: f(0)},
	}}}}
	lengths := &dataset.Dataset{Name: "arena-hard-lengths", Items: []dataset.Item{
		{ID: "a/1", Prompt: "write a poem", Results: map[string]dataset.Result{
			"mixtral-8x7b-instruct-v0.1": {OutputTokens: f(300)},
			"claude-2.0":                 {OutputTokens: f(200)},
		}},
		{ID: "a/2", Prompt: "fix my code", Results: map[string]dataset.Result{
			"mixtral-8x7b-instruct-v0.1": {OutputTokens: f(500)},
			"gpt-4o-2024-05-13":          {OutputTokens: f(700)},
		}},
	}}
	c, err := Build([]*dataset.Dataset{mmlu, lengths})
	require.NoError(t, err)
	return c
}

func TestAddLevelsLabelsOnlyTheAnsweredPromptsOfItsDataset(t *testing.T) {
	c := levelsCorpus(t)
	lv := &dataset.Levels{Dataset: "arena-hard-lengths", File: "board.csv", Scores: map[string]float64{
		"mixtral-8x7b-instruct-v0.1": 0.234, "gpt-4o-2024-05-13": 0.79, "claude-2.0": 0.24,
	}}
	info, err := c.AddLevels(lv)
	require.NoError(t, err)
	assert.Equal(t, []string{"gpt-4o-2024-05-13", "mixtral-8x7b-instruct-v0.1"}, info.Models)
	assert.Equal(t, []string{"claude-2.0"}, info.Unused, "a leaderboard model without per-prompt labels does not become a profile")
	assert.Equal(t, 3, info.Labels)
	assert.Equal(t, 3, c.Datasets[1].LevelLabels)
	assert.Zero(t, c.Datasets[1].QualityLabels, "levels are not per-prompt labels")

	assert.Empty(t, c.Examples[0].Levels, "mmlu-pro's own scores stay as they are")
	poem, code := c.Examples[1], c.Examples[2]
	require.Len(t, poem.Levels, 1, "gpt-4o did not answer the poem prompt")
	assert.Equal(t, "mixtral-8x7b-instruct-v0.1", c.Profiles[poem.Levels[0].Profile])
	assert.Equal(t, 0.234, poem.Levels[0].Score)
	require.Len(t, code.Levels, 2)
	for _, l := range code.Labels {
		assert.False(t, l.HasScore(), "validation reads Labels: they keep no score")
	}
}

func TestAddLevelsNeedsItsDatasetAndAnAnswer(t *testing.T) {
	c := levelsCorpus(t)
	_, err := c.AddLevels(&dataset.Levels{Dataset: "llmrouter", File: "board.csv", Scores: map[string]float64{"gpt-4o-2024-05-13": 0.8}})
	assert.ErrorContains(t, err, `no dataset "llmrouter"`)
	_, err = c.AddLevels(&dataset.Levels{Dataset: "arena-hard-lengths", File: "board.csv", Scores: map[string]float64{"claude-2.0": 0.24}})
	assert.ErrorContains(t, err, "no profile of the leaderboard answered a prompt of arena-hard-lengths")
	assert.True(t, c.HasDataset("mmlu-pro"))
	assert.False(t, c.HasDataset("llmrouter"))
}
