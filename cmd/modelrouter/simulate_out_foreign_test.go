package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simulate --out replaced summary.json, decisions.csv and routing-share.png
// in any folder without a word, and put them in beside a router model's
// files. A folder no simulate wrote, a router model's (an --out typed for
// --router-model) or one whose summary.json is another tool's, is refused
// before any prompt is routed, its files left as they were; the folder an
// earlier simulate wrote is rewritten, as a rerun wants.
func TestSimulateRefusesAnOutNoSimulateWrote(t *testing.T) {
	fakeRouterModel(t)
	prompts := writeFile(t, "prompts.txt", "What is 2+2?\nProve that sqrt(2) is irrational.\n")
	for file, want := range map[string]string{
		"router.json":   "holds router.json, so it is a router model's folder",
		"summary.json":  "its summary.json is not a simulate summary",
		"decisions.csv": "holds decisions.csv but no summary.json, so no simulate wrote it",
	} {
		t.Run(file, func(t *testing.T) {
			out := t.TempDir()
			foreign := []byte(`{"name": "someone else's"}`)
			require.NoError(t, os.WriteFile(filepath.Join(out, file), foreign, 0o644))

			stdout, _, err := runCmd(t, "simulate", "--prompts", prompts, "--out", out)
			require.Error(t, err, "simulate wrote into a folder with %s without a word", file)
			assert.ErrorContains(t, err, want)
			assert.ErrorContains(t, err, "choose another --out")
			kept, rerr := os.ReadFile(filepath.Join(out, file))
			require.NoError(t, rerr)
			assert.Equal(t, foreign, kept)
			assert.NoFileExists(t, filepath.Join(out, "routing-share.png"))
			assert.Empty(t, stdout, "refused before any work")
		})
	}

	out := t.TempDir()
	_, _, err := runCmd(t, "simulate", "--prompts", prompts, "--out", out)
	require.NoError(t, err)
	_, _, err = runCmd(t, "simulate", "--prompts", prompts, "--out", out, "--modes", "quality")
	require.NoError(t, err, "a rerun into the folder an earlier simulate wrote")
	assert.Len(t, readSummary(t, out).Modes, 1, "the rerun's summary replaced the earlier one")
}
