package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A rated answer to a call with no text for the router model to read (an
// image alone) has no prompt to label, whether serve kept prompts or not:
// the export counts it as such, and does not tell a server that runs with
// --keep-prompts to turn it on.
func TestExportFeedbackTellsACallWithNoTextFromAPromptNotKept(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	hash := func(text string) string {
		sum := sha256.Sum256([]byte(text))
		return hex.EncodeToString(sum[:])
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for id, text := range map[string]string{"with-text": "Describe the sea.", "image-only": ""} {
		s.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: hash(text), PromptText: text,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: gpt5mini},
			Answered: gpt5mini, Status: 200, Usage: router.Usage{PromptTokens: 40, CompletionTokens: 30}})
	}
	require.NoError(t, s.Log().Flush(ctx))
	for _, id := range []string{"with-text", "image-only"} {
		require.NoError(t, s.AddFeedback(ctx, id, 1, "", ""))
	}
	require.NoError(t, s.Close())

	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", filepath.Join(t.TempDir(), "traffic"))
	require.NoError(t, err)
	assert.Contains(t, stdout, "2 rated answers: 1 prompt with 1 label")
	assert.Contains(t, stdout, "1 skipped with no text to read")
	assert.NotContains(t, stdout, "--keep-prompts", "every prompt with text was kept")
}
