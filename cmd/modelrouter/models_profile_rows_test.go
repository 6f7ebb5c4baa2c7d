package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A router version may route two releases of one model (the catalog takes
// them, and `--models` asks for an ID then). `models` prints each model's
// profile and notes in a second table: each of its rows names the model it
// belongs to, so two releases with different profiles are told apart
// without counting rows against the first table.
func TestModelsProfileRowsNameTheModelTheyBelongTo(t *testing.T) {
	release := func(version, profile string) router.Model {
		m := simModel("gpt-x-"+version, 1, 4)
		m.Name, m.Version, m.Profile = "gpt-x", version, profile
		return m
	}
	v := router.Version{Version: "v1", Models: []router.Model{
		release("2025-01-01", "profile-of-january"), release("2025-06-01", "profile-of-june")}}

	var out bytes.Buffer
	require.NoError(t, writeModelsTable(&out, v, nil))
	for _, m := range v.Models {
		var row string
		for l := range strings.Lines(out.String()) {
			if strings.Contains(l, m.Profile) {
				row = l
			}
		}
		require.NotEmpty(t, row, "no row with %s's profile", m.ID)
		assert.True(t, strings.Contains(row, m.ID) || strings.Contains(row, m.Version),
			"the row of profile %s does not say it is %s's: %q", m.Profile, m.ID, row)
	}
}
