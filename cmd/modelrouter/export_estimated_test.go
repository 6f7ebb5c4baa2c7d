package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// A rated answer whose provider reported no usage (usage_estimated = 1: the
// client left mid-stream, or the server ignores include_usage) carries the
// gateway's estimate as completion_tokens: the answering model's predicted
// length (server/proxy.go billedUsage). export-feedback keeps its score but
// takes no length from it, so add-profile does not fit a model's length
// column to the router model's own guesses; an item with estimated lengths
// only has no output_tokens. Its prompt count is an estimate too: a reported
// one is preferred for the item's input_tokens.
func TestExportFeedbackDoesNotTakeEstimatedLengthsAsLabels(t *testing.T) {
	model, s, db := exportLog(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rec := func(id, prompt string, seconds, prompted, completion int, estimated bool) router.Record {
		return router.Record{RequestID: id, Time: at.Add(time.Duration(seconds) * time.Second), API: "chat.completions",
			PromptHash: "h", PromptText: prompt,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: model.ID},
			Answered: model.ID, Status: 200, Usage: router.Usage{PromptTokens: prompted, CompletionTokens: completion},
			UsageEstimated: estimated}
	}
	primes, poem := "Prove that there are infinitely many primes.", "Write a poem about the sea."
	// The estimated row first, so its estimated prompt count is seen first.
	s.Log().Record(rec("estimated", primes, 0, 55, 1900, true)) // the router model's predicted length
	s.Log().Record(rec("reported", primes, 1, 40, 100, false))
	s.Log().Record(rec("poem-estimated", poem, 2, 12, 700, true))
	require.NoError(t, s.Log().Flush(ctx))
	for _, id := range []string{"reported", "estimated", "poem-estimated"} {
		require.NoError(t, s.AddFeedback(ctx, id, 1, "", ""))
	}
	require.NoError(t, s.Close())

	out := filepath.Join(t.TempDir(), "traffic")
	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stdout, "3 rated answers: 2 prompts with 2 labels")
	assert.Contains(t, stdout, "2 scored without a length, their usage estimated")
	d, err := dataset.Load(out)
	require.NoError(t, err)
	require.Len(t, d.Items, 2)
	byPrompt := map[string]dataset.Item{}
	for _, it := range d.Items {
		byPrompt[it.Prompt] = it
	}

	it := byPrompt[primes]
	assert.Equal(t, 40, it.InputTokens, "the reported prompt count, not the estimate")
	res := it.Results[model.ID]
	require.NotNil(t, res.Score)
	assert.Equal(t, 1.0, *res.Score, "both ratings still count")
	require.NotNil(t, res.OutputTokens)
	assert.Equal(t, 100.0, *res.OutputTokens, "only the reported length is a label")

	it = byPrompt[poem]
	assert.Equal(t, 12, it.InputTokens, "with no reported count, the estimate prices the item")
	res = it.Results[model.ID]
	require.NotNil(t, res.Score)
	assert.Nil(t, res.OutputTokens, "no reported length: no length label")
}
