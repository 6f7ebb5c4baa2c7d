package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// TestExportFeedbackIsATrainingDataset: rated answers in the decision log
// come out as a dataset the trainer's reader loads, one item per prompt,
// one result per answering model, the mean rating as its score.
func TestExportFeedbackIsATrainingDataset(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	latest := cat.Versions[len(cat.Versions)-1].Models
	for _, v := range cat.Versions {
		if v.Version == cat.Latest {
			latest = v.Models
		}
	}
	strong, cheap := latest[0], latest[len(latest)-1]

	db := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	logAnswer := func(id, prompt, model string, completion int) {
		s.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: "h-" + prompt, PromptText: prompt,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: model},
			Answered: model, Status: 200, Usage: router.Usage{PromptTokens: 40, CompletionTokens: completion}})
	}
	logAnswer("r1", "Prove that there are infinitely many primes.", strong.ID, 300)
	logAnswer("r2", "Prove that there are infinitely many primes.", cheap.ID, 100)
	logAnswer("r3", "Prove that there are infinitely many primes.", cheap.ID, 140)
	logAnswer("r4", "Say hi.", cheap.ID, 5)
	logAnswer("r5", "", cheap.ID, 5) // logged without --keep-prompts
	logAnswer("r6", "Unrated question.", strong.ID, 50)
	require.NoError(t, s.Log().Flush(ctx))
	for id, score := range map[string]float64{"r1": 1, "r2": 0, "r3": 1, "r4": 1, "r5": 1} {
		require.NoError(t, s.AddFeedback(ctx, id, score, "", ""))
	}
	require.NoError(t, s.Close())

	out := filepath.Join(t.TempDir(), "traffic")
	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stdout, "5 rated answers: 2 prompts with 3 labels")
	assert.Contains(t, stdout, "1 skipped without prompt text")

	d, err := dataset.Load(out)
	require.NoError(t, err)
	assert.Equal(t, "traffic", d.Name)
	require.Len(t, d.Items, 2)
	primes := d.Items[0]
	assert.Equal(t, "Prove that there are infinitely many primes.", primes.Prompt)
	assert.Equal(t, "prod", primes.Task)
	require.Len(t, primes.Results, 2)
	assert.Equal(t, 1.0, *primes.Results[strong.ID].Score)
	assert.Equal(t, 0.5, *primes.Results[cheap.ID].Score, "two ratings of the cheap model's answers, averaged")
	assert.Equal(t, 120.0, *primes.Results[cheap.ID].OutputTokens)
	assert.Equal(t, strong.InputPerMTok, d.Models[strong.ID].Input)
	assert.Equal(t, cheap.OutputPerMTok, d.Models[cheap.ID].Output)

	// The export is also what add-profile reads: the cheap model's own
	// profile, anchored on the strong model's rating through its stand-in.
	if _, err := models.Artifacts(); err != nil {
		return
	}
	stdout, _, err = runCmd(t, "add-profile", "--data", out, "--model", cheap.ID, "--min-labels", "2", "--val", "0", "--out", filepath.Join(t.TempDir(), "rm"))
	require.NoError(t, err)
	assert.Contains(t, stdout, "added profile "+models.ProfileName(cheap.ID)+": 2 labelled answers")
	assert.Contains(t, stdout, "anchored on the labels in the same data of "+strong.Profile+" (1 answer)")
}

func TestExportFeedbackNeedsADatabase(t *testing.T) {
	_, _, err := runCmd(t, "export-feedback", "--db", filepath.Join(t.TempDir(), "missing.db"), "--out", t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no database")
	_, _, err = runCmd(t, "export-feedback")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--out is required")
}
