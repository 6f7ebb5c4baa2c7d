package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
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

// `route "prompt" --mode cost` must not silently route the text
// "prompt --mode cost" in balanced mode. keys and deployments accept flags
// after positional arguments, and so does route.
func TestCLIRouteFlagAfterPromptIsNotPromptText(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	out, stderr, err := runCmd(t, "route", "hello world", "--mode", "cost", "--json")
	require.NoError(t, err, stderr)
	var d router.Decision
	require.NoError(t, json.Unmarshal([]byte(out), &d), "--json after the prompt was ignored too; stdout: %.200s; stderr: %s", out, stderr)
	require.Equal(t, router.ModeCost, d.Mode, "--mode after the prompt was taken as prompt text")
}

// export-feedback --out into a folder that holds someone's files (a
// project's README.md) refuses, before writing anything.
func TestCLIExportFeedbackDoesNotClobberExistingFiles(t *testing.T) {
	db := writeLog(t, 1)
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	require.NoError(t, os.WriteFile(readme, []byte("# my project\n"), 0o644))
	_, _, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	b, rerr := os.ReadFile(readme)
	require.NoError(t, rerr)
	require.Equal(t, "# my project\n", string(b), "export-feedback overwrote an existing README.md (err=%v)", err)
}

// keys list (a read) on a SQLite file that is not modelrouter's says so and
// leaves it alone: no tables added, no switch to WAL.
func TestCLIKeysListDoesNotMigrateAForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other-app.db")
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE users(id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'x')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, _, err = runCmd(t, "keys", "list", "--db", path)

	db, oerr := sql.Open("sqlite3", path)
	require.NoError(t, oerr)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n))
	require.Equal(t, 1, n, "keys list added tables to a database that is not modelrouter's (err=%v)", err)
	require.Error(t, err, "keys list should say this is not a modelrouter database")
}

// --val NaN (which every comparison lets through) is refused before any
// data is read, not a model "validated" on 0 prompts.
func TestCLITrainRejectsNaNVal(t *testing.T) {
	_, _, err := runCmd(t, "train", "--val", "NaN", "--data", filepath.Join(t.TempDir(), "none"), "--out", t.TempDir())
	require.ErrorContains(t, err, "--val")
}

// --members 0 is refused naming --members alone: the message named
// --workers too, as if its default of 2 were also wrong.
func TestCLITrainNamesOnlyTheFlagBelowOne(t *testing.T) {
	for _, flagName := range []string{"--members", "--workers"} {
		_, _, err := runCmd(t, "train", flagName, "0", "--data", filepath.Join(t.TempDir(), "none"), "--out", t.TempDir())
		require.EqualError(t, err, "train: "+flagName+" 0: want at least 1")
	}
}

// add-profile --val NaN is refused, not a skipped held-out measurement.
func TestCLIAddProfileRejectsNaNVal(t *testing.T) {
	_, _, err := runCmd(t, "add-profile", "--val", "NaN", "--data", filepath.Join(t.TempDir(), "none"), "--model", "m", "--profile", "p", "--out", t.TempDir())
	require.ErrorContains(t, err, "--val")
}

// eval --holdout-frac 5 is refused: it would put every prompt, training
// prompts too, in the "holdout".
func TestCLIEvalRejectsHoldoutFracOutOfRange(t *testing.T) {
	for _, frac := range []string{"5", "-1", "NaN"} {
		_, _, err := runCmd(t, "eval", "--holdout-only", "--holdout-frac", frac, "--data", filepath.Join(t.TempDir(), "none"))
		require.ErrorContains(t, err, "holdout-frac", frac)
	}
}

// deployments put --file F with --capacity or --sku is refused, not sent
// with those flags dropped.
func TestCLIDeploymentsFileConflictsWithSKUFlags(t *testing.T) {
	f := writeFile(t, "dep.json", `{"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	_, _, err := runCmd(t, "deployments", "put", "my-router", "--file", f, "--capacity", "77", "--sku", "Foo", "--url", "http://127.0.0.1:1")
	require.ErrorContains(t, err, "--file")
	require.NotContains(t, err.Error(), "connection refused", "the conflict should be caught before calling the server")
}

// So is --file with --version, --mode, --models or --model given empty (a
// script's unset variable): it is refused, not sent without them.
func TestCLIDeploymentsFileConflictsWithEmptyFlags(t *testing.T) {
	f := writeFile(t, "dep.json", `{"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	for _, flag := range []string{"--version", "--mode", "--models", "--model"} {
		_, _, err := runCmd(t, "deployments", "put", "my-router", "--file", f, flag, "", "--url", "http://127.0.0.1:1")
		require.Error(t, err, flag)
		require.Contains(t, err.Error(), "--file replaces", flag)
	}
}

// `deployments put NAME --capacity 0` is refused, like -5 (the server would
// store the default, 10).
func TestCLIDeploymentsCapacityZeroIsRefused(t *testing.T) {
	_, _, err := runCmd(t, "deployments", "put", "my-router", "--capacity", "0", "--url", "http://127.0.0.1:1")
	require.ErrorContains(t, err, "capacity")
}

// a config file with a stray closing bracket after the object is refused
// (json.Decoder.More reports false at '}' and ']').
func TestCLIServeConfigRejectsTrailingBracket(t *testing.T) {
	for _, doc := range []string{`{"addr": "127.0.0.1:9"}}`, `{"addr": "127.0.0.1:9"} ]`} {
		_, err := readServeFile(strings.NewReader(doc), func(string) string { return "" })
		require.Error(t, err, doc)
	}
}

// decisions.csv is CSV: a prompt file named "a,b.txt" keeps each row's
// field count.
func TestCLIDecisionsCSVIsValidCSV(t *testing.T) {
	fakeRouterModel(t)
	prompts := writeFile(t, "a,b.txt", "What is 2+2?\nProve that sqrt(2) is irrational.\n")
	out := t.TempDir()
	_, _, err := runCmd(t, "simulate", "--prompts", prompts, "--out", out)
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(out, "decisions.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err, "decisions.csv does not parse as CSV")
	require.Equal(t, "a,b.txt:1", rows[1][0])
}

// simulate --out FILE fails before routing anything, not after printing a
// table it then cannot write.
func TestCLISimulateChecksOutBeforeWorking(t *testing.T) {
	fakeRouterModel(t)
	prompts := writeFile(t, "p.txt", "What is 2+2?\n")
	notDir := writeFile(t, "file", "x")
	stdout, _, err := runCmd(t, "simulate", "--prompts", prompts, "--out", notDir)
	require.Error(t, err)
	require.Empty(t, stdout, "results were printed as if complete before --out failed")
}

// route --models with an unknown ID names it, and the valid ones.
func TestCLIRouteNamesUnknownModel(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	_, _, err := runCmd(t, "route", "--models", "gpt-4o-typo", "hello")
	require.ErrorContains(t, err, "gpt-4o-typo")
}

// After "--" every word is the prompt's, flags' names included.
func TestCLIRouteTakesWordsAfterDoubleDashAsThePrompt(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	out, stderr, err := runCmd(t, "route", "--json", "--mode", "quality", "--", "what", "does", "--mode", "do?")
	require.NoError(t, err, stderr)
	var d router.Decision
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, router.ModeQuality, d.Mode)
}

// An export replaces a previous export in its folder, and an export with
// nothing to write writes nothing and says why.
func TestCLIExportFeedbackReplacesOnlyAPreviousExport(t *testing.T) {
	rated := filepath.Join(t.TempDir(), "rated.db")
	st, err := store.Open(rated)
	require.NoError(t, err)
	ctx := context.Background()
	st.Log().Record(router.Record{RequestID: "r1", Time: time.Now(), API: "chat.completions", PromptHash: "h", PromptText: "Say hi.",
		Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "gpt-4.1-2025-04-14"},
		Answered: "gpt-4.1-2025-04-14", Status: 200, Usage: router.Usage{PromptTokens: 4, CompletionTokens: 2}})
	require.NoError(t, st.Log().Flush(ctx))
	require.NoError(t, st.AddFeedback(ctx, "r1", 1, "", ""))
	require.NoError(t, st.Close())

	dir := filepath.Join(t.TempDir(), "mine")
	_, stderr, err := runCmd(t, "export-feedback", "--db", rated, "--out", dir)
	require.NoError(t, err, stderr)
	_, stderr, err = runCmd(t, "export-feedback", "--db", rated, "--out", dir)
	require.NoError(t, err, "a previous export is replaced: %s", stderr)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 3, "no temporary files left")

	empty := filepath.Join(t.TempDir(), "none")
	_, _, err = runCmd(t, "export-feedback", "--db", writeLog(t, 1), "--out", empty)
	require.ErrorContains(t, err, "nothing written")
	_, statErr := os.Stat(empty)
	require.True(t, os.IsNotExist(statErr), "nothing written")
}

// `help route` shows route's flags, as `route -h` does, and succeeds.
func TestCLIHelpNamesACommandsFlags(t *testing.T) {
	stdout, _, err := runCmd(t, "help", "route")
	require.NoError(t, err)
	require.Contains(t, stdout, "usage: modelrouter route")
	require.Contains(t, stdout, "-mode")
}
