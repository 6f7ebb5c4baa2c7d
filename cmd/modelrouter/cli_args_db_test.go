package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A 0-byte file is an empty SQLite database: `serve` (store.Open) makes it
// a modelrouter database, and so does `keys create`. Such
// files are common: `touch data/modelrouter.db` before a Docker bind mount,
// `mktemp`, or an earlier open that failed before its first write.
func TestCLIKeysCreateAcceptsAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	require.NoError(t, os.WriteFile(path, nil, 0o644))

	_, stderr, err := runCmd(t, "keys", "create", "--name", "ci", "--db", path)
	require.NoError(t, err, "keys create refuses an empty file that serve accepts; stderr: %s", stderr)
}

// keys list opens the file keys create just made, a literal % in its path
// included (the read-only check opens a file: URI, which decodes %XX).
func TestCLIKeysListOpensAPathWithAPercentSign(t *testing.T) {
	for _, name := range []string{"team%41.db", "q3%202026.db"} {
		path := filepath.Join(t.TempDir(), name)
		_, stderr, err := runCmd(t, "keys", "create", "--name", "ci", "--db", path)
		require.NoError(t, err, stderr)
		_, err = os.Stat(path)
		require.NoError(t, err, "keys create wrote the file under its own name")

		_, _, err = runCmd(t, "keys", "list", "--db", path)
		require.NoError(t, err, "keys list cannot open the database keys create made at %s", path)
	}
}

// An unquoted prompt may hold words starting with '-' ("-5", "-h"): after
// the prompt's first word only route's own flags are flags.
func TestCLIRouteUnquotedPromptWithDashWordsStillRoutes(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	for _, words := range [][]string{
		{"what", "is", "-5", "plus", "3?"},
		{"Summarize", "-", "no,", "-rewrite", "this"},
		{"tell", "me", "what", "-h", "does", "in", "grep"},
	} {
		out, stderr, err := runCmd(t, append([]string{"route", "--json"}, words...)...)
		require.NoError(t, err, "route %q: %.300s", strings.Join(words, " "), stderr)
		var d router.Decision
		require.NoError(t, json.Unmarshal([]byte(out), &d), "route %q printed no decision", strings.Join(words, " "))
	}
}

// ratedLog is a decision log with one rated answer that has its
// prompt text, so export-feedback has something to write.
func ratedLog(t *testing.T) string {
	t.Helper()
	return ratedLogOf(t, "gpt-4.1-2025-04-14")
}

// ratedLogOf is a decision log with one rated answer, with its prompt
// text, by each of the models (catalog IDs or not) to the same prompt.
func ratedLogOf(t *testing.T, answerers ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rated.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	ctx := context.Background()
	for i, m := range answerers {
		id := fmt.Sprintf("r%d", i+1)
		st.Log().Record(router.Record{RequestID: id, Time: time.Now(), API: "chat.completions", PromptHash: "h", PromptText: "Say hi.",
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: m},
			Answered: m, Status: 200, Usage: router.Usage{PromptTokens: 4, CompletionTokens: 2}})
		require.NoError(t, st.Log().Flush(ctx))
		require.NoError(t, st.AddFeedback(ctx, id, 1, "", ""))
	}
	require.NoError(t, st.Close())
	return path
}

// A write that fails part-way (here a rename; in life ENOSPC or a quota on
// the second temp file) does not block the next export into the folder.
func TestCLIExportFeedbackFailedWriteDoesNotBlockTheNextExport(t *testing.T) {
	db := ratedLog(t)
	dir := filepath.Join(t.TempDir(), "feedback")
	_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)

	// Make the second rename (models.json) fail.
	models := filepath.Join(dir, "models.json")
	require.NoError(t, os.Remove(models))
	require.NoError(t, os.MkdirAll(filepath.Join(models, "x"), 0o755))
	_, _, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.Error(t, err)
	require.NoError(t, os.RemoveAll(models))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			left = append(left, e.Name())
		}
	}
	require.Empty(t, left, "a failed export left its temporary files")

	_, _, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, "the folder of a previous export is refused after one failed write")
}
