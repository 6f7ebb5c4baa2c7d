package models

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shippedProfiles are the shipped router model's profiles, the names a
// dataset model must read as for eval to take it without --map.
func shippedProfiles(t *testing.T) []string {
	t.Helper()
	files, err := Artifacts()
	if err != nil {
		t.Skip(err)
	}
	card, err := ParseCard(files.RouterJSON)
	require.NoError(t, err)
	return card.Profiles
}

// Hosted providers' names for a model the shipped router model has a
// profile of read as that profile, so eval over a dataset labelled through
// Together, Amazon Bedrock or OpenRouter needs no --map for them.
func TestProfileNameReadsHostedProvidersNamesOfOneProfile(t *testing.T) {
	profiles := shippedProfiles(t)
	for in, want := range map[string]string{
		// Together (Hugging Face's names)
		"mistralai/Mixtral-8x7B-Instruct-v0.1":   "mixtral-8x7b-instruct-v0.1",
		"meta-llama/Meta-Llama-3.1-70B-Instruct": "llama-3.1-70b-instruct",
		// Amazon Bedrock: provider prefix, Bedrock's version suffix
		"anthropic.claude-3-5-sonnet-20240620-v1:0": "claude-3-5-sonnet-20240620",
		"anthropic.claude-3-haiku-20240307-v1:0":    "claude-3-haiku-20240307",
		"anthropic.claude-3-opus-20240229-v1:0":     "claude-3-opus-20240229",
		"anthropic.claude-3-5-haiku-20241022-v1:0":  "claude-3-5-haiku-20241022",
		// Bedrock's v2 of Claude 3.5 Sonnet: the date names the snapshot
		"anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet-20241022",
		// cross-region inference profiles
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0":   "claude-3-5-sonnet-20241022",
		"eu.anthropic.claude-3-5-sonnet-20240620-v1:0":   "claude-3-5-sonnet-20240620",
		"apac.anthropic.claude-3-5-sonnet-20240620-v1:0": "claude-3-5-sonnet-20240620",
		// Meta's Llama with Bedrock's "llama3-1" for Llama 3.1
		"meta.llama3-1-70b-instruct-v1:0":    "llama-3.1-70b-instruct",
		"meta.llama3-1-8b-instruct-v1:0":     "llama-3.1-8b-instruct",
		"meta.llama3-1-405b-instruct-v1:0":   "llama-3.1-405b-instruct",
		"meta.llama3-70b-instruct-v1:0":      "llama-3-70b-instruct",
		"us.meta.llama3-1-70b-instruct-v1:0": "llama-3.1-70b-instruct",
		// Mistral's "v0:1" is the model's own v0.1
		"mistral.mixtral-8x7b-instruct-v0:1": "mixtral-8x7b-instruct-v0.1",
		"mistral.mistral-7b-instruct-v0:2":   "mistral-7b-instruct-v0.2",
		"mistral.mistral-large-2407-v1:0":    "mistral-large-2",
		"ai21.jamba-1-5-large-v1:0":          "jamba-1.5-large",
		// an entry for provisioned throughput with its context window:
		// the same weights
		"anthropic.claude-3-haiku-20240307-v1:0:48k":     "claude-3-haiku-20240307",
		"anthropic.claude-3-haiku-20240307-v1:0:200k":    "claude-3-haiku-20240307",
		"anthropic.claude-3-5-sonnet-20240620-v1:0:18k":  "claude-3-5-sonnet-20240620",
		"anthropic.claude-3-5-sonnet-20241022-v2:0:200k": "claude-3-5-sonnet-20241022",
		// an ARN names the model ID after its last "/"
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0": "claude-3-5-sonnet-20240620",
		// OpenRouter: the organisation goes, Claude's "3.5" is Anthropic's "3-5"
		"openai/gpt-4o-2024-08-06":             "gpt-4o-2024-08-06",
		"anthropic/claude-3.5-sonnet-20240620": "claude-3-5-sonnet-20240620",
		"anthropic/claude-3-5-sonnet-20241022": "claude-3-5-sonnet-20241022",
		// Claude models with one snapshot only, as gpt-4o-mini
		"anthropic/claude-3.5-haiku": "claude-3-5-haiku-20241022",
		"anthropic/claude-3-opus":    "claude-3-opus-20240229",
		"anthropic/claude-3-haiku":   "claude-3-haiku-20240307",
	} {
		got := ProfileName(in)
		assert.Equal(t, want, got, in)
		assert.Contains(t, profiles, got, "%s: the shipped router model has the profile", in)
	}
}

// A hosted name that does not name one profile keeps a name of its own,
// which no profile has, so eval leaves it out (or refuses it as a
// candidate) with the closest profiles and the --map that brings it in,
// rather than reading it silently as a profile learned from another
// model.
func TestProfileNameLeavesHostedNamesOfNoOneProfileUnmapped(t *testing.T) {
	profiles := shippedProfiles(t)
	for in, want := range map[string]string{
		// Together's Turbo: its own FP8 quantised serving, not the
		// weights the profile's labels came from
		"meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo": "llama-3.1-70b-instruct-turbo",
		"meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo":  "llama-3.1-8b-instruct-turbo",
		"Qwen/Qwen2.5-72B-Instruct-Turbo":              "qwen2.5-72b-instruct-turbo",
		"Qwen/Qwen2.5-7B-Instruct-Turbo":               "qwen2.5-7b-instruct-turbo",
		// names that moved between snapshots
		"anthropic/claude-3.5-sonnet": "claude-3-5-sonnet",
		"openai/gpt-4o":               "gpt-4o",
		"claude-3-5-sonnet-latest":    "claude-3-5-sonnet-latest",
		// Bedrock's Claude 2.1 is no Claude 2.0, and neither has a profile
		"anthropic.claude-v2:1":      "claude-v2.1",
		"anthropic.claude-v2":        "claude-v2",
		"anthropic.claude-v2:1:200k": "claude-v2.1",
		// a version without its "v" other than Bedrock's first entry
		// ("1:0") is not read: what it counts is not known
		"openai.gpt-oss-120b-2:0": "gpt-oss-120b-2:0",
		// a provider-like prefix that is no Bedrock provider stays
		"foo.claude-3-5-sonnet-20240620-v1:0": "foo.claude-3-5-sonnet-20240620-v1:0",
	} {
		got := ProfileName(in)
		assert.Equal(t, want, got, in)
		assert.False(t, slices.Contains(profiles, got), "%s reads as the profile %s", in, got)
	}
}

// The rules for hosted names move no name the shipped data uses: Claude
// 2's "claude-2.1" keeps its dot, a name starting "llama3" outside
// Bedrock keeps its spelling.
func TestProfileNameKeepsNamesThatOnlyLookHosted(t *testing.T) {
	for in, want := range map[string]string{
		"claude-2.1":            "claude-2.1",
		"claude-instant-v1":     "claude-instant-v1",
		"llama3-chatqa-1.5-70b": "llama3-chatqa-1.5-70b",
		"cognitivecomputations/dolphin-2.9-llama3-8b": "dolphin-2.9-llama3-8b",
		"qwen2.5-72b-instruct":                        "qwen2.5-72b-instruct",
		"mistral-7b-instruct-v0.3":                    "mistral-7b-instruct-v0.3",
		"gpt-3.5-turbo-0125":                          "gpt-3.5-turbo-0125",
	} {
		assert.Equal(t, want, ProfileName(in), in)
	}
}

// Bedrock names OpenAI's open-weights gpt-oss "openai.gpt-oss-120b-1:0",
// its version without the "v": it reads as the catalog's gpt-oss-120b, the
// model the gateway predicts (through its stand-in) and serves.
func TestProfileNameReadsBedrocksGptOssAsTheCatalogModel(t *testing.T) {
	cat, err := Catalog()
	require.NoError(t, err)
	m, ok := cat.Model("gpt-oss-120b")
	require.True(t, ok)
	for _, in := range []string{"openai.gpt-oss-120b-1:0", "us.openai.gpt-oss-120b-1:0", "openai.gpt-oss-120b-1:0:128k"} {
		assert.Equal(t, ProfileName(m.ID), ProfileName(in), in)
	}
}
