package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// `route --models`, `deployments put --models` and a request's
// routing_config.models take a catalog model by its name (gpt-4.1) as well as
// its ID (gpt-4.1-2025-04-14). `simulate --models` is the same subset for a
// prompt file, so the command line that works for `route` works for it.
func TestSimulateTakesModelsByNameAsRouteDoes(t *testing.T) {
	prompts := writeFile(t, "prompts.txt", "Write a haiku about rain.\nWhat is 2+2?\n")
	_, _, err := runCmd(t, "route", "--models", "gpt-4.1,gpt-4.1-nano", "--mode", "cost", "Write a haiku about rain.")
	require.NoError(t, err, "route takes catalog names")

	_, _, err = runCmd(t, "simulate", "--prompts", prompts, "--models", "gpt-4.1,gpt-4.1-nano", "--modes", "cost", "--out", t.TempDir())
	assert.NoError(t, err)
}

// A catalog name with several models in the router version (two releases
// of one model, both still routable) names no single model: simulate says
// so and lists the IDs to pick from, as `deployments put --models` does,
// rather than calling the name unknown.
func TestSimulateNamesTheChoicesForAModelNameWithSeveralVersions(t *testing.T) {
	fakeRouterModel(t)
	release := func(id string) router.Model {
		m := simModel(id, 1, 4)
		m.Name = "gpt-x"
		return m
	}
	simulateCatalog = func() (router.Catalog, error) {
		return router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1",
			Models: []router.Model{release("gpt-x-2025-01-01"), release("gpt-x-2025-06-01"), simModel("small", 0.1, 0.4)}}}}, nil
	}
	prompts := writeFile(t, "prompts.txt", "What is 2+2?\n")

	_, _, err := runCmd(t, "simulate", "--prompts", prompts, "--models", "gpt-x,small", "--modes", "cost")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"gpt-x" has several versions`)
	assert.Contains(t, err.Error(), "gpt-x-2025-01-01, gpt-x-2025-06-01")
	assert.NotContains(t, err.Error(), "is not a model", "the name is a model, only not one alone")

	_, _, err = runCmd(t, "simulate", "--prompts", prompts, "--models", "gpt-x-2025-06-01,small", "--modes", "cost")
	assert.NoError(t, err, "one of the IDs it names is taken")
}
