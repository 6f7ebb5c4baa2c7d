package models

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOwnProfilesReplaceStandInsTheRouterModelNoLongerNeeds(t *testing.T) {
	cat, err := Catalog()
	require.NoError(t, err)
	latest := cat.Versions[0]
	var target string
	for _, m := range latest.Models {
		if m.Name == "gpt-5-mini" {
			target = m.ID
		}
	}
	require.NotEmpty(t, target)

	own := ProfileName(target)
	got, switched := OwnProfiles(cat, []string{"o1-mini-2024-09-12", own})
	assert.Equal(t, []string{target}, switched)
	for _, v := range got.Versions {
		for _, m := range v.Models {
			if m.ID == target {
				assert.Equal(t, own, m.Profile, "version %s", v.Version)
			}
		}
	}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			assert.NotEqual(t, own, m.Profile, "the catalog passed in keeps its stand-ins")
		}
	}

	same, none := OwnProfiles(cat, []string{"o1-mini-2024-09-12"})
	assert.Empty(t, none)
	assert.Equal(t, cat, same)
}

func TestProfileNameMergesSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"Meta-Llama-3_1-70B-Instruct":            "llama-3.1-70b-instruct",
		"Meta-Llama-3.1-70B-Instruct@hyperbolic": "llama-3.1-70b-instruct",
		"llama-3.1-70b-instruct":                 "llama-3.1-70b-instruct",
		"Llama-3.1-405B-Inst@sambanova":          "llama-3.1-405b-instruct",
		"gpt-4o-2024-08-06":                      "gpt-4o-2024-08-06",
		"meta-llama/Meta-Llama-3.1-70B-Instruct": "llama-3.1-70b-instruct",
		"mistralai/Mixtral-8x7B-Instruct-v0.1":   "mixtral-8x7b-instruct-v0.1",
		"mistralai/mixtral-8x7b-chat":            "mixtral-8x7b-instruct-v0.1",
		// the same models under the names a 2024 pool's data may use
		"mistralai/Mistral-Large-Instruct-2407": "mistral-large-2",
		"mistral-large-2407":                    "mistral-large-2",
		"gpt-4o-mini":                           "gpt-4o-mini-2024-07-18",
		"openai/gpt-4o-mini":                    "gpt-4o-mini-2024-07-18",
		// a name that moved between snapshots stays its own
		"gpt-4o": "gpt-4o",
		// Vertex AI's spelling of an Anthropic snapshot: "@" then its date
		// is the version, not a provider
		"claude-3-5-sonnet@20240620": "claude-3-5-sonnet-20240620",
		"claude-3-opus@20240229":     "claude-3-opus-20240229",
		// Vertex AI's name for Claude 3.5 Sonnet's second snapshot, the
		// router model's claude-3-5-sonnet-20241022
		"claude-3-5-sonnet-v2@20241022": "claude-3-5-sonnet-20241022",
		// eight digits that are no date are a suffix like any other
		"gpt-4o-2024-08-06@20241399": "gpt-4o-2024-08-06",
		"gpt-4o-2024-08-06@20240231": "gpt-4o-2024-08-06",
		// catalog model IDs, as export-feedback's data names them
		"DeepSeek-V3.1":                          "deepseek-v3.1",
		"gpt-5-mini-2025-08-07":                  "gpt-5-mini-2025-08-07",
		"Llama-4-Maverick-17B-128E-Instruct-FP8": "llama-4-maverick-17b-128e-instruct-fp8",
	} {
		assert.Equal(t, want, ProfileName(in), in)
	}
}

// The shipped router model has no profile named for a catalog model other
// than the one the catalog chose, so its stand-ins are what route.
func TestShippedModelKeepsTheCatalogsStandIns(t *testing.T) {
	files, err := Artifacts()
	if err != nil {
		t.Skip(err)
	}
	card, err := ParseCard(files.RouterJSON)
	require.NoError(t, err)
	cat, err := Catalog()
	require.NoError(t, err)
	_, switched := OwnProfiles(cat, card.Profiles)
	assert.Empty(t, switched)
}

func TestGatewayProfileIsTheOwnProfileElseTheStandIn(t *testing.T) {
	cat, err := Catalog()
	require.NoError(t, err)
	profiles := []string{"o1-mini-2024-09-12", "gpt-4o-2024-05-13", "gpt-4.1-2025-04-14"}
	p, ok := GatewayProfile("gpt-5-2025-08-07", profiles, cat)
	assert.True(t, ok)
	assert.Equal(t, "o1-mini-2024-09-12", p, "the catalog's stand-in")
	p, ok = GatewayProfile("gpt-4.1-2025-04-14", profiles, cat)
	assert.True(t, ok)
	assert.Equal(t, "gpt-4.1-2025-04-14", p, "its own profile wins")
	p, ok = GatewayProfile("Meta-Llama-3_1-70B-Instruct", profiles, cat)
	assert.False(t, ok)
	assert.Equal(t, "llama-3.1-70b-instruct", p)
}
