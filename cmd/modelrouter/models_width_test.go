package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// `modelrouter models` on a 120-column terminal, for every router version,
// as shipped and with a router model that predicts every catalog model by
// a profile of its own (the longest profile names, and the longest notes:
// "preview, price estimated, own profile"). No line wraps, and each
// model's name, version, format, provider, prices, context, maximum
// output, capabilities, profile and notes can be read whole.
func TestModelsFitsA120ColumnTerminalWithOwnProfilesForEveryModel(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	var profiles []string
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			profiles = append(profiles, models.ProfileName(m.ID))
		}
	}
	withOwn, own := models.OwnProfiles(cat, profiles)
	require.NotEmpty(t, own)

	for i, v := range withOwn.Versions {
		shipped, _, err := runCmd(t, "models", "--version", v.Version)
		require.NoError(t, err)
		assertFits120(t, shipped)

		var out bytes.Buffer
		require.NoError(t, writeModelsTable(&out, v, own))
		assertFits120(t, out.String())
		for j, m := range v.Models {
			rows := modelRows(t, out.String(), m)
			for _, cell := range []string{m.Version, m.Format, m.Provider, price(m.InputPerMTok), price(m.OutputPerMTok),
				tokens(m.ContextWindow), tokens(m.MaxOutput)} {
				assertField(t, rows[0], cell)
			}
			assert.True(t, strings.HasSuffix(rows[0], "  "+caps(m)), "%q", rows[0])
			assertField(t, rows[1], m.Profile)
			assertField(t, shipped, cat.Versions[i].Models[j].Profile)
			if slices.Contains(own, m.ID) {
				assert.True(t, strings.HasSuffix(rows[1], "own profile"), "%q", rows[1])
			}
		}
	}
}
