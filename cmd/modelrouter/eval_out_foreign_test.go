package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var evalOutPrices = map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}

// eval --out replaced report.json, report.md, curves.png and
// predictions.jsonl in any folder without a word. A folder no eval wrote,
// a router model's or one whose report.json is another tool's, is refused
// before any work, its files left as they were.
func TestEvalRefusesAnOutNoEvalWrote(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "mt-bench", evalOutPrices, 8, gptAlwaysRight)
	for file, want := range map[string]string{
		"router.json": "so it is a router model's folder",
		"report.json": "its report.json is not an eval report",
	} {
		out := t.TempDir()
		foreign := []byte(`{"name": "someone else's"}`)
		require.NoError(t, os.WriteFile(filepath.Join(out, file), foreign, 0o644))

		var stdout, stderr bytes.Buffer
		err := runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr)
		require.Error(t, err, "eval wrote its reports into a folder with %s without a word", file)
		assert.ErrorContains(t, err, want)
		kept, rerr := os.ReadFile(filepath.Join(out, file))
		require.NoError(t, rerr)
		assert.Equal(t, foreign, kept)
		assert.NoFileExists(t, filepath.Join(out, "report.md"))
		assert.Empty(t, stdout.String(), "refused before any work")
	}
}

// Over a folder of datasets each goes in a folder of its own in --out:
// a foreign one there is refused before the first dataset is evaluated.
func TestEvalRefusesADatasetsOutFolderNoEvalWrote(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, data, "a", evalOutPrices, 8, gptAlwaysRight)
	writeEvalDataset(t, data, "b", evalOutPrices, 8, gptAlwaysRight)
	require.NoError(t, os.MkdirAll(filepath.Join(out, "b"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "b", "tokenizer.json"), []byte("{}"), 0o644))

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, "--out "+filepath.Join(out, "b")+" holds tokenizer.json")
	assert.NoDirExists(t, filepath.Join(out, "a"), "refused before the first dataset")
}

// With --by-task each task goes in a folder of its own: a foreign one
// there is refused before the dataset's first task is evaluated.
func TestEvalByTaskRefusesATasksOutFolderNoEvalWrote(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data, out := writeEvalDataset(t, t.TempDir(), "mt-bench", evalOutPrices, 8, gptAlwaysRight), t.TempDir()
	notes := []byte("# my notes\n")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "t"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "t", "report.md"), notes, 0o644))

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", data, "--by-task", "--out", out}, &stdout, &stderr)
	require.Error(t, err, "a task's report replaced report.md without a word")
	assert.ErrorContains(t, err, "--out "+filepath.Join(out, "t")+" holds report.md but no report.json")
	kept, rerr := os.ReadFile(filepath.Join(out, "t", "report.md"))
	require.NoError(t, rerr)
	assert.Equal(t, notes, kept)
}

// A new folder is written, and a rerun replaces what the earlier eval
// wrote there.
func TestEvalRerunReplacesItsOwnReports(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := writeEvalDataset(t, t.TempDir(), "mt-bench", evalOutPrices, 8, gptAlwaysRight)
	out := filepath.Join(t.TempDir(), "report")
	for range 2 {
		var stdout, stderr bytes.Buffer
		require.NoError(t, runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr), stderr.String())
		assert.FileExists(t, filepath.Join(out, "report.json"))
	}
}

// brokenPipe is a stdout whose reader has gone, as `eval ... | head` leaves
// it once head has its lines.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// A table nobody reads any more does not cost the run its --out files:
// they are written before the table.
func TestEvalWritesItsOutBeforeItsTable(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "mt-bench", evalOutPrices, 8, gptAlwaysRight)
	out := filepath.Join(t.TempDir(), "report")
	var stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", data, "--out", out}, brokenPipe{}, &stderr)
	require.ErrorIs(t, err, syscall.EPIPE)
	for _, f := range []string{"report.json", "report.md", "predictions.jsonl"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
}

// A report folder that cannot be written once the work is done (a disk
// full, a file there that is not one) does not cost the run its table:
// the terminal still gets it, and the run still fails, naming the file.
func TestEvalPrintsItsTableWhenItsOutCannotBeWritten(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := writeEvalDataset(t, t.TempDir(), "mt-bench", evalOutPrices, 8, gptAlwaysRight)
	out := filepath.Join(t.TempDir(), "report")
	var table, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", data, "--out", out}, &table, &stderr), stderr.String())
	require.NotEmpty(t, table.String())
	// The earlier eval's folder, whose report.md is now a folder.
	require.NoError(t, os.Remove(filepath.Join(out, "report.md")))
	require.NoError(t, os.Mkdir(filepath.Join(out, "report.md"), 0o755))

	var stdout bytes.Buffer
	stderr.Reset()
	err := runEval(context.Background(), []string{"--data", data, "--out", out}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, "report.md")
	assert.Equal(t, table.String(), stdout.String(), "the table, as the run that could write its files printed it")
}
