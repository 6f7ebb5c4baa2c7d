package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A log written under a prompt hash key exports as one written without:
// export-feedback, which is not given the key, still tells a call with no
// text to read (an image alone) from a prompt whose text was not kept, and
// groups a prompt's ratings into one item.
func TestExportFeedbackReadsALogWhosePromptHashesAreKeyed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	key := []byte("operator-prompt-hash-key-0123456789")
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rows := []struct{ id, text, kept string }{
		{"kept-1", "Describe the sea.", "Describe the sea."},
		{"kept-2", "Describe the sea.", "Describe the sea."},
		{"not-kept", "Write to Ada Lovelace.", ""},
		{"image-only", "", ""},
	}
	for i, r := range rows {
		s.Log().Record(router.Record{RequestID: r.id, Time: at.Add(time.Duration(i) * time.Second), API: "chat.completions",
			PromptHash: router.HashPrompt(key, r.text), PromptText: r.kept,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: gpt5mini},
			Answered: gpt5mini, Status: 200, Usage: router.Usage{PromptTokens: 40, CompletionTokens: 30}})
	}
	require.NoError(t, s.Log().Flush(ctx))
	for _, r := range rows {
		require.NoError(t, s.AddFeedback(ctx, r.id, 1, "", ""))
	}
	require.NoError(t, s.Close())

	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", filepath.Join(t.TempDir(), "traffic"))
	require.NoError(t, err)
	assert.Contains(t, stdout, "4 rated answers: 1 prompt with 1 label")
	assert.Contains(t, stdout, "1 skipped without prompt text")
	assert.Contains(t, stdout, "1 skipped with no text to read")
}
