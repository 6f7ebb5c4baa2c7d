package models

import (
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// aliases maps spellings that the generic rules in ProfileName do not
// merge to one profile name.
var aliases = map[string]string{
	"llama-3.1-405b-inst":         "llama-3.1-405b-instruct",
	"llama-3.1-405b-instruct-fp8": "llama-3.1-405b-instruct",
	"llama-3-70b-instruct":        "llama-3-70b-instruct",
	"llama-3-8b-instruct":         "llama-3-8b-instruct",
	"athene-70b-0725":             "athene-70b",
	"deepseek-coder-v2":           "deepseek-coder-v2",
	"claude-3-5-sonnet-20241022":  "claude-3-5-sonnet-20241022",
	// Vertex AI's name for that snapshot, claude-3-5-sonnet-v2@20241022,
	// with its date read as the version (ProfileName).
	"claude-3-5-sonnet-v2-20241022":             "claude-3-5-sonnet-20241022",
	"yi-1.5-34b-chat":                           "yi-1.5-34b-chat",
	"llama-3.1-405b-instruct-fp8-no-sys-prompt": "llama-3.1-405b-instruct",
	// Arena-Hard's name for Mistral Large 2 (zeroeval-math's Mistral-Large-2).
	"mistral-large-2407": "mistral-large-2",
	// The same model's open weights on Hugging Face
	// (mistralai/Mistral-Large-Instruct-2407).
	"mistral-large-instruct-2407": "mistral-large-2",
	// OpenAI's undated name for GPT-4o mini, whose only snapshot is
	// 2024-07-18 (unlike gpt-4o, whose undated name moved between
	// snapshots, so it has no alias).
	"gpt-4o-mini": "gpt-4o-mini-2024-07-18",
	// RouterBench's name (through Together) for Mixtral-8x7B-Instruct-v0.1.
	"mixtral-8x7b-chat": "mixtral-8x7b-instruct-v0.1",
	// Claude models with one snapshot only, undated as OpenRouter names
	// them ("anthropic/claude-3.5-haiku"), as gpt-4o-mini above. The
	// undated claude-3-5-sonnet moved between two snapshots and has none.
	"claude-3-opus":    "claude-3-opus-20240229",
	"claude-3-haiku":   "claude-3-haiku-20240307",
	"claude-3-5-haiku": "claude-3-5-haiku-20241022",
	// Bedrock's ai21.jamba-1-5-large-v1:0.
	"jamba-1-5-large": "jamba-1.5-large",
	// No alias for Together's "-Turbo" names
	// (Meta-Llama-3.1-70B-Instruct-Turbo, Qwen2.5-72B-Instruct-Turbo):
	// Together's own FP8-quantised serving, not the weights the profile's
	// labels were scored on, so it may answer differently; eval asks for
	// a --map, a choice the user makes, rather than reading it silently as
	// the profile. llama-3.1-405b-instruct-fp8 above differs: Meta
	// published the 405B's FP8 weights itself, and the profile's labels
	// include that serving.
}

// ProfileName is the router model's name for a model id, the one the
// trainer gives the profile learned from that model's labels and the one
// the gateway looks for (see OwnProfiles): lower case,
// "_" read as ".", no "@provider" suffix ("@20240620", Vertex AI's
// snapshot date, is read as "-20240620"), no Hugging Face organisation
// ("mistralai/"), Amazon Bedrock's model ID read as the model's name
// (fromBedrock), no leading "meta-", OpenRouter's "claude-3.5-" read as
// "claude-3-5-", then the alias table.
// "Meta-Llama-3_1-70B-Instruct", "Meta-Llama-3.1-70B-Instruct@hyperbolic"
// and "meta-llama/Meta-Llama-3.1-70B-Instruct" are all
// "llama-3.1-70b-instruct".
func ProfileName(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	if i := strings.IndexByte(s, '@'); i >= 0 {
		if isSnapshotDate(s[i+1:]) {
			// Vertex AI names an Anthropic snapshot
			// "claude-3-5-sonnet@20240620": the date is the version.
			s = s[:i] + "-" + s[i+1:]
		} else {
			s = s[:i]
		}
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = fromBedrock(s)
	s = strings.ReplaceAll(s, "_", ".")
	s = strings.TrimPrefix(s, "meta-")
	s = undotClaude(s)
	if a, ok := aliases[s]; ok {
		return a
	}
	return s
}

// isSnapshotDate says whether s is a snapshot's date as YYYYMMDD: a day
// of the calendar, so eight digits that are none (20241399) stay the
// suffix they are.
func isSnapshotDate(s string) bool {
	if len(s) != 8 || !strings.HasPrefix(s, "20") {
		return false
	}
	_, err := time.Parse("20060102", s)
	return err == nil
}

// OwnProfiles returns the catalog with every model that the router model
// predicts under its own name (ProfileName of its ID: a model retrained on
// the gateway's feedback, or given a profile with add-profile) predicted
// by that profile instead of its stand-in, and the IDs it switched. The
// catalog passed in is not changed.
func OwnProfiles(cat router.Catalog, profiles []string) (router.Catalog, []string) {
	have := make(map[string]bool, len(profiles))
	for _, p := range profiles {
		have[p] = true
	}
	out := router.Catalog{Latest: cat.Latest, Versions: make([]router.Version, len(cat.Versions))}
	var switched []string
	for i, v := range cat.Versions {
		v.Models = slices.Clone(v.Models)
		for j := range v.Models {
			m := &v.Models[j]
			if own := ProfileName(m.ID); have[own] && own != m.Profile {
				m.Profile = own
				if !slices.Contains(switched, m.ID) {
					switched = append(switched, m.ID)
				}
			}
		}
		out.Versions[i] = v
	}
	slices.Sort(switched)
	return out, switched
}

// GatewayProfile is the profile the gateway predicts a model with: its own
// (ProfileName of id) where the router model has one, else, for a catalog
// model ID, the catalog's stand-in. ok is false when the router model has
// neither.
func GatewayProfile(id string, profiles []string, cat router.Catalog) (profile string, ok bool) {
	own := ProfileName(id)
	if slices.Contains(profiles, own) {
		return own, true
	}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if m.ID == id && slices.Contains(profiles, m.Profile) {
				return m.Profile, true
			}
		}
	}
	return own, false
}
