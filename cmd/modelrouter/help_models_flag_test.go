package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// route's and simulate's --models take catalog names (gpt-4.1) as well as
// model IDs, as the README says; their help said "model IDs" only, so a
// user reading `route -h` typed the dated IDs for nothing.
func TestModelsFlagHelpSaysItTakesCatalogNames(t *testing.T) {
	for _, cmd := range []string{"route", "simulate"} {
		usage, _, err := runCmd(t, "help", cmd)
		require.NoError(t, err, cmd)
		_, after, found := strings.Cut(usage, "  -models string\n")
		require.True(t, found, "help %s has no --models", cmd)
		help, _, _ := strings.Cut(after, "\n  -")
		assert.Contains(t, help, "catalog names", "help %s: --models", cmd)
	}
	// deployments put takes them too (the management API resolves a name).
	usage, _, err := runCmd(t, "help", "deployments")
	require.NoError(t, err)
	_, after, found := strings.Cut(usage, "--models IDS")
	require.True(t, found, "help deployments has no --models")
	help, _, _ := strings.Cut(after, "\n  --model ")
	assert.Contains(t, help, "catalog names", "help deployments: --models")
}

// What the help promises holds: a catalog name narrows route to that model.
func TestRouteTakesACatalogNameInModels(t *testing.T) {
	catalog, err := models.Catalog()
	require.NoError(t, err)
	var named string
	var id string
	for _, v := range catalog.Versions {
		if v.Version != catalog.Latest {
			continue
		}
		for _, m := range v.Models {
			if m.Name != m.ID {
				named, id = m.Name, m.ID
				break
			}
		}
	}
	require.NotEmpty(t, named, "the latest version has a model whose name is not its ID")
	out, _, err := runCmd(t, "route", "--models", named, "--json", "hello")
	require.NoError(t, err)
	var d struct {
		Chosen string `json:"chosen_model"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, id, d.Chosen)
}
