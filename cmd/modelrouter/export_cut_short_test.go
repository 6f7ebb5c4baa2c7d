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

// A background job rated before a read found it over, and found then to
// have failed or been cancelled, gave no answer: its tokens are where the
// job stopped, no sample of the model's answer length, and its score
// rates no answer. export-feedback leaves it out and says so; the same
// prompt's job that completed is exported as any answer.
func TestExportFeedbackLeavesOutABackgroundJobThatFailedOrWasCancelled(t *testing.T) {
	model, s, db := exportLog(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const prompt = "Write the quarterly report."
	// Each row's request id is how its job ended.
	ended := []string{"failed", "cancelled", "completed"}
	for i, id := range ended {
		s.Log().Record(router.Record{RequestID: id, Time: at.Add(time.Duration(i) * time.Second), API: "responses",
			PromptHash: "h", PromptText: prompt, ResponseID: "resp_" + id,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: model.ID},
			Answered: model.ID, Status: 200, Usage: router.Usage{PromptTokens: 30, CompletionTokens: 40 * (i + 1)}})
	}
	require.NoError(t, s.Log().Flush(ctx))
	for _, id := range ended {
		require.NoError(t, s.AddFeedback(ctx, id, 0.5, "", ""), "rated while the job ran")
		require.NoError(t, s.Log().NoteJobEnd(ctx, "resp_"+id, id))
	}
	require.NoError(t, s.Close())

	out := filepath.Join(t.TempDir(), "traffic")
	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stdout, "3 rated answers: 1 prompt with 1 label")
	assert.Contains(t, stdout, "; 2 skipped, their background jobs failed or cancelled (no answer)")
	d, err := dataset.Load(out)
	require.NoError(t, err)
	require.Len(t, d.Items, 1)
	res := d.Items[0].Results[model.ID]
	require.NotNil(t, res.OutputTokens)
	assert.Equal(t, 120.0, *res.OutputTokens, "the completed job's length alone")
}
