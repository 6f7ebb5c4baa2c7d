package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// README "Simulating": simulate decides for the providers serve would read
// from the same environment, and serve reads a key from VAR_FILE as from
// VAR. With Anthropic's key in ANTHROPIC_API_KEY_FILE, Claude is reached
// through a translation that carries no n, so a call with n = 2 leaves it
// out in simulate as on the gateway; a file that cannot be read is refused
// as serve refuses it, not taken for no provider.
func TestSimulateReadsAProvidersKeyFromItsFileAsServeDoes(t *testing.T) {
	claude := simModel("claude", 0.05, 0.2)
	claude.Provider, claude.Format = "anthropic", "Anthropic"
	oldCatalog, oldModel := simulateCatalog, openRouterModel
	simulateCatalog = func() (router.Catalog, error) {
		return router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1",
			Models: []router.Model{simModel("big", 2, 8), claude}}}}, nil
	}
	pred := &routertest.Predictor{PredictFn: func(string) router.Prediction {
		return router.Prediction{"big": {Quality: .90, OutputTokens: 200}, "claude": {Quality: .95, OutputTokens: 200}}
	}}
	openRouterModel = func(string, bool) (routerModel, error) {
		return routerModel{predictor: pred, version: "fake-1"}, nil
	}
	t.Cleanup(func() { simulateCatalog, openRouterModel = oldCatalog, oldModel })
	for _, v := range keyVariables {
		t.Setenv(v, "")
		t.Setenv(v+secretFileSuffix, "")
	}
	t.Setenv("OPENAI_API_KEY", "sk-test")
	t.Setenv("ANTHROPIC_API_KEY_FILE", writeSecret(t, "sk-ant-test\n"))

	prompts := writeFile(t, "prompts.jsonl", `{"messages":[{"role":"user","content":"Name a colour."}],"n":2}`+"\n")
	out := t.TempDir()
	_, _, err := runCmd(t, "simulate", "--prompts", prompts, "--modes", "quality", "--out", out)
	require.NoError(t, err)
	sim := readSummary(t, out)
	require.Len(t, sim.Modes, 1)
	require.Equal(t, map[string]int{"big": 1}, shares(sim.Modes[0]), "Claude, configured from the file, takes no n")

	t.Setenv("ANTHROPIC_API_KEY_FILE", "./no-such-key-file")
	_, _, err = runCmd(t, "simulate", "--prompts", prompts, "--modes", "quality", "--out", t.TempDir())
	require.ErrorContains(t, err, `ANTHROPIC_API_KEY_FILE "./no-such-key-file": no such file or directory`)
}
