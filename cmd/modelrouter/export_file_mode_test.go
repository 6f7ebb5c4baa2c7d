package main

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// exportOneRating writes a database with one rated answer and returns its path.
func exportOneRating(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	s.Log().Record(router.Record{RequestID: "rated", Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), API: "chat.completions",
		PromptHash: "rated", PromptText: "Summarise my medical notes.",
		Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: gpt5mini},
		Answered: gpt5mini, Status: 200, Usage: router.Usage{PromptTokens: 40, CompletionTokens: 30}})
	require.NoError(t, s.Log().Flush(ctx))
	require.NoError(t, s.AddFeedback(ctx, "rated", 1, "", ""))
	require.NoError(t, s.Close())
	return db
}

// items.jsonl holds logged prompt text: an export makes it its owner's
// alone, as the database it came from is, whatever the umask.
func TestExportFeedbackItemsAreReadableByTheirOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the common default, under which it was 0644
	t.Cleanup(func() { syscall.Umask(old) })
	out := filepath.Join(t.TempDir(), "traffic")
	_, _, err := runCmd(t, "export-feedback", "--db", exportOneRating(t), "--out", out)
	require.NoError(t, err)
	info, err := os.Stat(filepath.Join(out, "items.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	// A temporary file an export stopped short left, with the old mode,
	// does not hand that mode on.
	require.NoError(t, os.Remove(filepath.Join(out, "items.jsonl")))
	require.NoError(t, os.WriteFile(filepath.Join(out, ".items.jsonl.tmp"), nil, 0o644))
	_, _, err = runCmd(t, "export-feedback", "--db", exportOneRating(t), "--out", out)
	require.NoError(t, err)
	info, err = os.Stat(filepath.Join(out, "items.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// An export into the folder of an earlier one keeps the mode its owner
// gave its items.jsonl: one who let a group read it (to train as another
// account) keeps that.
func TestExportFeedbackKeepsTheModeOfItemsThatAreThere(t *testing.T) {
	out := filepath.Join(t.TempDir(), "traffic")
	_, _, err := runCmd(t, "export-feedback", "--db", exportOneRating(t), "--out", out)
	require.NoError(t, err)
	items := filepath.Join(out, "items.jsonl")
	require.NoError(t, os.Chmod(items, 0o640))
	_, _, err = runCmd(t, "export-feedback", "--db", exportOneRating(t), "--out", out)
	require.NoError(t, err)
	info, err := os.Stat(items)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm())
}
