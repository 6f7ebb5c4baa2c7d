package pipeline

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/training/fit"
)

// With LOTOOwnTokenizer a leave-one-task-out retrain reads its corpus
// through a tokenizer learned without the left-out task: the task's own
// word ("pinecones", in every one of its prompts) is a token for the
// tokenizer that saw it and not for the one that did not. The shared
// corpus keeps its tokens.
func TestOwnTokenizerLearnsWithoutTheLeftOutTask(t *testing.T) {
	dir := t.TempDir()
	c := loadCorpus(t, writeTaskDataset(t, dir, "mmlu-pro", map[string]int{"cats": 60, "dogs": 60, "pinecones": 60}))
	opt := tinyOptions(t.TempDir())
	all := make([]int, len(c.Examples))
	for i := range all {
		all[i] = i
	}
	tok, _, err := learnTokenizer(opt, c, all, nil, func(string, ...any) {})
	require.NoError(t, err)
	require.NoError(t, tokenizeCorpus(opt, c, tok, io.Discard))

	var without, held []int
	for i, ex := range c.Examples {
		if ex.Task == "pinecones" {
			held = append(held, i)
		} else {
			without = append(without, i)
		}
	}
	before := append([]int64(nil), c.Examples[held[0]].IDs...)
	own, cfg, ownTok, err := retokenized(opt, fit.DefaultConfig(), c, without)
	require.NoError(t, err)

	encoder := func(tok []byte) func(string) []int64 {
		e, err := classifier.NewTokenizer(tok)
		require.NoError(t, err)
		return e.Encode
	}
	shared, alone := encoder(tok), encoder(ownTok)
	unknown := func(enc func(string) []int64, word string) bool {
		ids := enc(word)
		return len(ids) > 1 || slices.Equal(ids, enc("qqqq"))
	}
	assert.False(t, unknown(shared, "pinecones"), "the tokenizer that saw the task has its word")
	assert.True(t, unknown(alone, "pinecones"), "the one learned without it does not")
	assert.False(t, unknown(alone, "cats"), "it has the other tasks' words")
	assert.Equal(t, alone(c.Examples[held[0]].Text), own.Examples[held[0]].IDs, "the copy is tokenized by it")
	assert.Equal(t, before, c.Examples[held[0]].IDs, "the shared corpus is untouched")
	assert.Positive(t, cfg.Spec.Vocab)
	assert.Equal(t, c.Examples[held[0]].Text, own.Examples[held[0]].Text)
}

// Run with LOTOOwnTokenizer retrains each left-out task on its own
// tokenizer: the same tasks are scored, router.json says so, and the
// scores are not the shared tokenizer's (each retrain reads other tokens).
func TestRunWithOwnTokenizerRetrainsOnIt(t *testing.T) {
	dir := t.TempDir()
	data := writeTaskDataset(t, dir, "mmlu-pro", map[string]int{"cats": 60, "dogs": 60, "pinecones": 60})
	run := func(own bool) *Result {
		opt := tinyOptions(filepath.Join(dir, fmt.Sprint("out-", own)), data)
		opt.LeaveOneOut, opt.Epochs = false, 5
		opt.LOTOMinPrompts, opt.LOTOEpochs = 50, 5
		opt.LOTOOwnTokenizer = own
		res, err := Run(context.Background(), opt)
		require.NoError(t, err)
		return res
	}
	shared, own := run(false), run(true)
	assert.False(t, shared.Metrics.Training.LOTOOwnTokenizer)
	assert.True(t, own.Metrics.Training.LOTOOwnTokenizer)
	require.Len(t, own.Metrics.LeaveOneTaskOut, len(shared.Metrics.LeaveOneTaskOut))
	assert.Equal(t, shared.Tokenizer, own.Tokenizer, "the shipped model's tokenizer is the same")
	assert.NotEqual(t, shared.Metrics.LeaveOneTaskOut, own.Metrics.LeaveOneTaskOut)
}
