package corpus

import (
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func f(v float64) *float64 { return &v }

func TestBuildMergesProvidersAndKeepsLengthOnlyModelsOut(t *testing.T) {
	math1 := &dataset.Dataset{Name: "zeroeval-math", Models: map[string]dataset.Price{
		"Meta-Llama-3.1-70B-Instruct":            {Input: 1, Output: 2},
		"Meta-Llama-3.1-70B-Instruct@hyperbolic": {Input: 3, Output: 4},
		"gpt-4o-2024-08-06":                      {Input: 2.5, Output: 10},
	}, Items: []dataset.Item{{ID: "m/1", Prompt: "1+1?", InputTokens: 4, Results: map[string]dataset.Result{
		"Meta-Llama-3.1-70B-Instruct":            {Score: f(1), OutputTokens: f(10)},
		"Meta-Llama-3.1-70B-Instruct@hyperbolic": {Score: f(0), OutputTokens: f(30)},
		"gpt-4o-2024-08-06":                      {Score: f(1)},
	}}}}
	lengths := &dataset.Dataset{Name: "arena-hard-lengths", Items: []dataset.Item{
		{ID: "a/1", Prompt: "write a poem", Results: map[string]dataset.Result{
			"gpt-4o-2024-08-06": {OutputTokens: f(400)},
			"some-other-model":  {OutputTokens: f(300)},
		}},
		{ID: "a/2", Prompt: "only unknown models", Results: map[string]dataset.Result{"x": {OutputTokens: f(1)}}},
	}}
	c, err := Build([]*dataset.Dataset{math1, lengths})
	require.NoError(t, err)
	assert.Equal(t, []string{"gpt-4o-2024-08-06", "llama-3.1-70b-instruct"}, c.Profiles)
	require.Len(t, c.Examples, 2, "a prompt with no profile's label is dropped")

	ls := c.Examples[0].Labels
	require.Len(t, ls, 2)
	assert.Equal(t, 1.0, ls[0].Score)
	assert.False(t, ls[0].HasLength())
	assert.Equal(t, 0.5, ls[1].Score, "two providers of one model are averaged")
	assert.Equal(t, 20.0, ls[1].OutputTokens)
	assert.Equal(t, 2.0, ls[1].InputPrice)

	l := c.Examples[1].Labels
	require.Len(t, l, 1)
	assert.True(t, math.IsNaN(l[0].Score))
	assert.Equal(t, 400.0, l[0].OutputTokens)
	assert.Equal(t, DatasetInfo{Name: "arena-hard-lengths", Licence: "Apache-2.0", Items: 1, LengthLabels: 1}, c.Datasets[1])
	assert.Equal(t, 3, c.Datasets[0].QualityLabels+c.Datasets[0].LengthLabels)
}

func TestBuildNeedsQualityLabels(t *testing.T) {
	_, err := Build(nil)
	assert.Error(t, err)
	_, err = Build([]*dataset.Dataset{{Name: "x", Items: []dataset.Item{{ID: "1", Results: map[string]dataset.Result{"a": {OutputTokens: f(3)}}}}}})
	assert.ErrorContains(t, err, "no dataset has quality labels")
}

// A score outside [0, 1] in a dataset built in memory is refused with the
// rule, not clamped into range.
func TestBuildRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	for _, s := range []float64{10, -0.5} {
		d := &dataset.Dataset{Name: "judge", Models: map[string]dataset.Price{"a": {Input: 1, Output: 1}, "b": {Input: 1, Output: 1}},
			Items: []dataset.Item{{ID: "judge/1", Results: map[string]dataset.Result{"a": {Score: f(1)}, "b": {Score: f(s)}}}}}
		_, err := Build([]*dataset.Dataset{d})
		require.Error(t, err, "score %g", s)
		assert.Contains(t, err.Error(), `judge/1: model "b"`)
		assert.Contains(t, err.Error(), "outside [0,1]")
	}
}

// A model with a quality label but no price is refused with eval's words:
// priced at $0 it would be the cheapest candidate of every band sweep. A
// length-only model needs none (its price is never read).
func TestBuildRefusesALabelledModelWithoutAPrice(t *testing.T) {
	d := &dataset.Dataset{Name: "d", Models: map[string]dataset.Price{"a": {Input: 1, Output: 1}},
		Items: []dataset.Item{{ID: "d/1", Results: map[string]dataset.Result{"a": {Score: f(1)}, "b": {Score: f(0)}, "c": {OutputTokens: f(9)}}}}}
	_, err := Build([]*dataset.Dataset{d})
	require.ErrorContains(t, err, `model "b" has quality labels but no price in dataset d: models.json has no entry for it`)
	// What train can do about it: train has no --candidates, so eval's
	// way out is no hint here.
	require.ErrorContains(t, err, "add its prices to")
	assert.NotContains(t, err.Error(), "--candidates")

	delete(d.Items[0].Results, "b")
	_, err = Build([]*dataset.Dataset{d})
	require.NoError(t, err)
}

func TestSplitKeepsIdenticalPromptsTogether(t *testing.T) {
	c := &Corpus{}
	for i := range 2000 {
		text := fmt.Sprintf("prompt number %d", i/2) // every text twice, as in two datasets
		if i%2 == 1 {
			text = "  PROMPT   number " + fmt.Sprint(i/2) + "\n" // same after normalising
		}
		c.Examples = append(c.Examples, Example{ID: fmt.Sprint(i), Dataset: i % 2, Text: text})
	}
	train, val := c.Split(0.1, 1)
	assert.Len(t, append(train, val...), 2000)
	assert.InDelta(t, 200, len(val), 60)
	inVal := map[int]bool{}
	for _, i := range val {
		inVal[i] = true
	}
	for i := 0; i < 2000; i += 2 {
		assert.Equal(t, inVal[i], inVal[i+1], "copies of prompt %d split apart", i/2)
	}
	train2, val2 := c.Split(0.1, 1)
	assert.Equal(t, val, val2)
	assert.Equal(t, train, train2)
	_, val3 := c.Split(0.1, 2)
	assert.NotEqual(t, val, val3, "another seed, another split")
	_, none := c.Split(0, 1)
	assert.Empty(t, none)
}

func TestTokenizeTruncatesHeadAndTail(t *testing.T) {
	followUp := func(last string) string {
		return router.PromptText([]router.Turn{{Role: "user", Text: "p q"}, {Role: "assistant", Text: "r"}, {Role: "user", Text: last}})
	}
	c := &Corpus{Examples: []Example{{Text: "a b c d e f g"}, {Text: "x y"}, {Text: followUp("w x y z")}, {Text: followUp("z")}}}
	enc := func() (func(string) ([]int64, error), error) {
		return func(s string) ([]int64, error) {
			var ids []int64
			for _, r := range s {
				if r != ' ' {
					ids = append(ids, int64(r))
				}
			}
			return ids, nil
		}, nil
	}
	var n atomic.Int64
	require.NoError(t, c.Tokenize(enc, 2, 1, 2, func(k int) { n.Add(int64(k)) }))
	assert.Equal(t, []int64{'a', 'b', 'g'}, c.Examples[0].IDs)
	assert.Equal(t, []int64{'x', 'y'}, c.Examples[1].IDs)
	assert.Equal(t, []int64{'w', 'x', 'z'}, c.Examples[2].IDs, "a conversation's last turn keeps its own head and tail, as the classifier reads it")
	assert.Equal(t, []int64{'u', 's', 'z'}, c.Examples[3].IDs, "the context's start fills the room a short last turn leaves")
	assert.Equal(t, int64(4), n.Load())
	bad := func() (func(string) ([]int64, error), error) {
		return func(string) ([]int64, error) { return nil, fmt.Errorf("boom") }, nil
	}
	assert.ErrorContains(t, c.Tokenize(bad, 2, 1, 2, nil), "boom")
}

func TestTaskClassesNumberDatasetTasks(t *testing.T) {
	c := &Corpus{
		Datasets: []DatasetInfo{{Name: "mmlu-pro"}, {Name: "llmrouter"}},
		Examples: []Example{
			{Dataset: 0, Task: "math"}, {Dataset: 1, Task: "math"}, {Dataset: 0, Task: "biology"},
			{Dataset: 1}, {Dataset: 0, Task: "math"},
		},
	}
	names, of := c.TaskClasses()
	assert.Equal(t, []string{"llmrouter/math", "mmlu-pro/biology", "mmlu-pro/math"}, names,
		"one class per dataset and task: the same task name in two datasets stays apart")
	assert.Equal(t, []int{2, 0, 1, -1, 2}, of)
}
