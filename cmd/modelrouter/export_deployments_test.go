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

// A prompt rated under two deployments is two items, each with its
// deployment as task and its own ratings: as one item under the first
// deployment, the second's ratings were counted as the first's, and
// eval --task named only the first.
func TestExportFeedbackKeepsEachDeploymentsRatingsUnderItsTask(t *testing.T) {
	first, s, db := exportLog(t)
	model := first.ID
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const prompt = "Summarise the plot of Hamlet."
	for i, deployment := range []string{"prod", "support-bot", "support-bot"} {
		id := []string{"r1", "r2", "r3"}[i]
		s.Log().Record(router.Record{RequestID: id, Time: at.Add(time.Duration(i) * time.Second), API: "chat.completions", PromptHash: "h", PromptText: prompt,
			Decision: router.Decision{Deployment: deployment, Mode: router.ModeBalanced, ChosenID: model},
			Answered: model, Status: 200, Usage: router.Usage{PromptTokens: 6, CompletionTokens: 40}})
	}
	require.NoError(t, s.Log().Flush(ctx))
	for id, score := range map[string]float64{"r1": 1, "r2": 0, "r3": 0} {
		require.NoError(t, s.AddFeedback(ctx, id, score, "", ""))
	}
	require.NoError(t, s.Close())

	out := filepath.Join(t.TempDir(), "traffic")
	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stdout, "3 rated answers: 2 prompts with 2 labels")

	d, err := dataset.Load(out)
	require.NoError(t, err)
	scores := map[string]float64{}
	for _, it := range d.Items {
		assert.Equal(t, prompt, it.Prompt)
		scores[it.Task] = *it.Results[model].Score
	}
	assert.Equal(t, map[string]float64{"prod": 1, "support-bot": 0}, scores)
}
