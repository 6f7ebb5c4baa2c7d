package models_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// referenceTable is the supported-models table of the reference
// (shared/reference/azure-model-router-docs.txt), with the doc's footnote
// digits removed and "gpt-4.0" read as gpt-4o. TestReferenceTableMatchesDoc
// checks this transcription against the doc text itself.
var referenceTable = map[string][]router.Ref{
	"2025-11-18": {
		{Format: "OpenAI", Name: "gpt-4o", Version: "2024-11-20"},
		{Format: "OpenAI", Name: "gpt-4o-mini", Version: "2024-07-18"},
		{Format: "OpenAI", Name: "gpt-4.1", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-mini", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-nano", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "o4-mini", Version: "2025-04-16"},
		{Format: "OpenAI", Name: "gpt-5-nano", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5-mini", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5-chat", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5.2", Version: "2025-12-11"},
		{Format: "OpenAI", Name: "gpt-5.2-chat", Version: "2025-12-11"},
		{Format: "DeepSeek", Name: "DeepSeek-V3.1", Version: "1"},
		{Format: "DeepSeek", Name: "DeepSeek-V3.2", Version: "1"},
		{Format: "OpenAI", Name: "gpt-oss-120b", Version: "1"},
		{Format: "Meta", Name: "Llama-4-Maverick-17B-128E-Instruct-FP8", Version: "1"},
		{Format: "xAI", Name: "grok-4", Version: "1"},
		{Format: "xAI", Name: "grok-4-fast-reasoning", Version: "1"},
		{Format: "Anthropic", Name: "claude-haiku-4-5", Version: "20251001"},
		{Format: "Anthropic", Name: "claude-sonnet-4-5", Version: "20250929"},
		{Format: "Anthropic", Name: "claude-opus-4-1", Version: "20250805"},
		{Format: "Anthropic", Name: "claude-opus-4-6", Version: "1"},
	},
	"2025-08-07": {
		{Format: "OpenAI", Name: "gpt-4.1", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-mini", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-nano", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "o4-mini", Version: "2025-04-16"},
		{Format: "OpenAI", Name: "gpt-5", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5-mini", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5-nano", Version: "2025-08-07"},
		{Format: "OpenAI", Name: "gpt-5-chat", Version: "2025-08-07"},
	},
	"2025-05-19": {
		{Format: "OpenAI", Name: "gpt-4.1", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-mini", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "gpt-4.1-nano", Version: "2025-04-14"},
		{Format: "OpenAI", Name: "o4-mini", Version: "2025-04-16"},
	},
}

// referenceOrder is the order the versions appear in the doc.
var referenceOrder = []string{"2025-11-18", "2025-08-07", "2025-05-19"}

func TestCatalogMatchesReference(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	assert.Equal(t, "2025-11-18", cat.Latest)
	got := map[string][]router.Ref{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			got[v.Version] = append(got[v.Version], m.Ref())
		}
	}
	require.Len(t, got, len(referenceTable), "router versions")
	for ver, want := range referenceTable {
		assert.ElementsMatch(t, want, got[ver], "models of router version %s", ver)
	}
}

func TestCatalogModels(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	seen := map[string]router.Model{}
	for _, v := range cat.Versions {
		ids := map[string]bool{}
		for _, m := range v.Models {
			assert.False(t, ids[m.ID], "%s listed twice in %s", m.ID, v.Version)
			ids[m.ID] = true
			if prev, ok := seen[m.ID]; ok {
				assert.Equal(t, prev, m, "%s differs between router versions", m.ID)
			}
			seen[m.ID] = m

			assert.Positive(t, m.InputPerMTok, m.ID)
			assert.Positive(t, m.OutputPerMTok, m.ID)
			_, err := time.Parse(time.DateOnly, m.PriceDate)
			assert.NoError(t, err, "%s price date", m.ID)
			assert.Positive(t, m.ContextWindow, m.ID)
			assert.Positive(t, m.MaxOutput, m.ID)
			assert.NotEmpty(t, m.UpstreamModel, m.ID)
			assert.Equal(t, m.Format == "Anthropic", m.RequiresDeployment, "%s: Claude models, and only they, must be deployed first", m.ID)
			assert.Equal(t, m.Capabilities.Reasoning, m.ReasoningTokens > 0, "%s: reasoning models, and only they, expect hidden reasoning tokens", m.ID)
		}
	}
	// The reference's example answer names the model this way.
	assert.Contains(t, seen, "gpt-5-mini-2025-08-07")
	assert.Equal(t, "claude-opus-4-6", seen["claude-opus-4-6"].ID, "version-1 models are named without a version")
}

// TestCatalogPreviewFlags checks the reference's footnotes 2 and 3 (preview)
// against the catalog: every non-OpenAI model plus gpt-oss-120b.
func TestCatalogPreviewFlags(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, m := range cat.Versions[0].Models {
		want := m.Format != "OpenAI" || m.Name == "gpt-oss-120b"
		assert.Equal(t, want, m.Preview, m.ID)
	}
}

// TestCatalogPricesMatchSources re-reads every "litellm:<key>" price from
// the price table it cites; estimates must give their reason.
func TestCatalogPricesMatchSources(t *testing.T) {
	path := filepath.Join(sharedDir(t, filepath.Join("data", "prices")), "litellm", "model_prices_and_context_window.json")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var table map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &table))

	searches := openRouterWebSearchPrices(t)

	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, m := range cat.Versions[0].Models {
		key, isLitellm := strings.CutPrefix(m.PriceSource, "litellm:")
		if !isLitellm {
			assert.Regexp(t, `^estimate: .{40,}`, m.PriceSource, "%s: an estimate must say why", m.ID)
			continue
		}
		var e struct {
			In         float64 `json:"input_cost_per_token"`
			Out        float64 `json:"output_cost_per_token"`
			CacheRead  float64 `json:"cache_read_input_token_cost"`
			CacheWrite float64 `json:"cache_creation_input_token_cost"`
			// Anthropic's 1-hour cache writes (ttl "1h").
			CacheWrite1h float64 `json:"cache_creation_input_token_cost_above_1hr"`
		}
		require.Contains(t, table, key, m.ID)
		require.NoError(t, json.Unmarshal(table[key], &e))
		assert.InDelta(t, e.In*1e6, m.InputPerMTok, 1e-6, "%s input price", m.ID)
		assert.InDelta(t, e.Out*1e6, m.OutputPerMTok, 1e-6, "%s output price", m.ID)
		// A cache price the table has must be in the catalog, and one it
		// lacks must stay out (those tokens are billed at the input price).
		assert.InDelta(t, e.CacheRead*1e6, m.CachedInputPerMTok, 1e-6, "%s cached input price", m.ID)
		assert.InDelta(t, e.CacheWrite*1e6, m.CacheWritePerMTok, 1e-6, "%s cache write price", m.ID)
		assert.InDelta(t, e.CacheWrite1h*1e6, m.CacheWrite1hPerMTok, 1e-6, "%s 1-hour cache write price", m.ID)
		checkLongContextSource(t, m, table[key])
		checkServiceTierSources(t, m, table, key)
		checkWebSearchSource(t, m, table[key], searches)
	}
}

// checkWebSearchSource checks m's price per 1,000 web searches against its
// table entry's price per search (search_context_cost_per_query). Where
// the entry has none, a Claude model has Anthropic's $10, which its
// pricing page lists for every model (the table lacks claude-haiku-4-5's).
// An OpenAI model has the price of its Responses web_search tool calls
// that OpenRouter's table lists for openai/<name> (pricing.web_search,
// per search), or none where it lists none: litellm's only OpenAI search
// prices, gpt-4o-mini's by search context size, are those of the retired
// search-preview models (see the README). OpenRouter lists none for gpt-4o
// and gpt-4o-mini, which have $10 all the same: OpenAI's pricing page
// lists its web_search tool as "Web search (all models)" at $10 per 1,000
// calls, as quoted on its developer forum
// (community.openai.com/t/search-web-using-openai-api/1363698), whose
// answer says that price holds whatever the model. Any other model has
// none.
//
// No table here has the price of OpenAI's web_search_preview tool: its
// pricing page lists $25 per 1,000 calls for models without reasoning,
// naming the gpt-4o and gpt-4.1 families, with their search content free,
// and $10 for reasoning models, as web_search. Those families have that
// price apart; every other model has none, and its preview searches cost
// its web_search price.
func checkWebSearchSource(t *testing.T, m router.Model, raw json.RawMessage, openRouter map[string]float64) {
	t.Helper()
	var e struct {
		Search struct {
			Medium float64 `json:"search_context_size_medium"`
		} `json:"search_context_cost_per_query"`
	}
	_ = json.Unmarshal(raw, &e)
	want := e.Search.Medium * 1000
	switch m.Provider {
	case "anthropic":
		if want == 0 {
			want = 10
		}
	case "openai":
		want = openRouter["openai/"+m.Name] * 1000
		if want == 0 && strings.HasPrefix(m.Name, "gpt-4o") {
			want = 10 // OpenAI's "Web search (all models)", above
		}
	default:
		want = 0
	}
	assert.InDelta(t, want, m.WebSearchPer1K, 1e-9, "%s web search price", m.ID)
	preview := 0.0
	if m.Provider == "openai" && !m.Capabilities.Reasoning && (strings.HasPrefix(m.Name, "gpt-4o") || strings.HasPrefix(m.Name, "gpt-4.1")) {
		preview = 25
	}
	assert.InDelta(t, preview, m.WebSearchPreviewPer1K, 1e-9, "%s web_search_preview price", m.ID)
}

// openRouterWebSearchPrices reads OpenRouter's model list's price per web
// search (pricing.web_search, USD as a decimal string) by model id.
func openRouterWebSearchPrices(t *testing.T) map[string]float64 {
	t.Helper()
	path := filepath.Join(sharedDir(t, filepath.Join("data", "prices")), "openrouter", "openrouter_models_2026-08-01.json")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var list struct {
		Data []struct {
			ID      string `json:"id"`
			Pricing struct {
				WebSearch string `json:"web_search"`
			} `json:"pricing"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(raw, &list))
	prices := map[string]float64{}
	for _, m := range list.Data {
		if m.Pricing.WebSearch != "" {
			usd, err := strconv.ParseFloat(m.Pricing.WebSearch, 64)
			require.NoError(t, err, m.ID)
			prices[m.ID] = usd
		}
	}
	return prices
}

// tierSources names, for a model, the table entry a tier's prices come
// from where it is not the entry the model's price_source cites: litellm
// prices o4-mini's flex and priority tiers in its undated "o4-mini" entry
// only, not in the dated o4-mini-2025-04-16 entry the catalog cites,
// whose standard prices are the same. Its flex prices,
// half the standard ones, are those OpenAI's pricing page shows at the
// flex tier as pages quoting it give them ($0.55 input, $0.138 cached
// input, which is $0.1375 rounded, $2.20 output per 1M tokens), and its
// priority prices are those OpenAI's Priority processing page lists for
// o4-mini ($2.00 input, $0.50 cached input, $8.00 output per 1M tokens,
// openai.com/api-priority-processing). The same page lists the gpt-4o
// (gpt-4o-2024-11-20 by name), gpt-4o-mini and gpt-4.1 families at the
// priority tier, at the prices litellm has in their undated entries only:
// $4.25 / $2.125 / $17.00 for gpt-4o, $0.25 / $0.125 / $1.00 for
// gpt-4o-mini, $3.50 / $0.875 / $14.00 for gpt-4.1, $0.70 / $0.175 /
// $2.80 for gpt-4.1-mini and $0.20 / $0.05 / $0.80 for gpt-4.1-nano
// (input, cached input, output per 1M tokens). Their flex tier stays with
// the dated entries, which have none, as OpenAI sells them no flex.
var tierSources = map[string]map[string]string{
	"o4-mini-2025-04-16":      {"flex": "o4-mini", "priority": "o4-mini"},
	"gpt-4o-2024-11-20":       {"priority": "gpt-4o"},
	"gpt-4o-mini-2024-07-18":  {"priority": "gpt-4o-mini"},
	"gpt-4.1-2025-04-14":      {"priority": "gpt-4.1"},
	"gpt-4.1-mini-2025-04-14": {"priority": "gpt-4.1-mini"},
	"gpt-4.1-nano-2025-04-14": {"priority": "gpt-4.1-nano"},
}

// checkServiceTierSources checks m's flex and priority prices against its
// table entry key (input_cost_per_token_flex, ..._priority), or the entry
// tierSources names for the tier: a tier the entry prices must be in the
// catalog at its prices, one it lacks must stay out (such answers are
// billed at the standard prices).
func checkServiceTierSources(t *testing.T, m router.Model, table map[string]json.RawMessage, key string) {
	t.Helper()
	for _, tier := range []string{"flex", "priority"} {
		entry := key
		if k, ok := tierSources[m.ID][tier]; ok {
			entry = k
		}
		require.Contains(t, table, entry, "%s %s prices", m.ID, tier)
		var fields map[string]float64
		_ = json.Unmarshal(table[entry], &fields) // non-number fields are left zero
		in, ok := fields["input_cost_per_token_"+tier]
		if !ok {
			assert.NotContains(t, m.ServiceTiers, tier, "%s: its source has no %s prices", m.ID, tier)
			continue
		}
		require.Contains(t, m.ServiceTiers, tier, "%s: its source has %s prices", m.ID, tier)
		p := m.ServiceTiers[tier]
		assert.InDelta(t, in*1e6, p.InputPerMTok, 1e-6, "%s %s input price", m.ID, tier)
		assert.InDelta(t, fields["output_cost_per_token_"+tier]*1e6, p.OutputPerMTok, 1e-6, "%s %s output price", m.ID, tier)
		assert.InDelta(t, fields["cache_read_input_token_cost_"+tier]*1e6, p.CachedInputPerMTok, 1e-6, "%s %s cached input price", m.ID, tier)
	}
	assert.LessOrEqual(t, len(m.ServiceTiers), 2, "%s: only flex and priority are priced", m.ID)
	if _, priced := m.ServiceTiers["flex"]; priced {
		// The gateway sends service_tier flex only to a model marked as
		// taking it; one that bills flex answers takes it.
		assert.True(t, m.Capabilities.Flex, "%s has flex prices, so it takes service_tier flex", m.ID)
	}
}

// longContextKey is how the litellm table names a price past a prompt
// length: input_cost_per_token_above_200k_tokens.
var longContextKey = regexp.MustCompile(`^input_cost_per_token_above_(\d+)k_tokens$`)

// checkLongContextSource checks m's long-context tier against its table
// entry: a tier the entry has must be in the catalog, at the entry's
// threshold and prices, and one it lacks must stay out.
func checkLongContextSource(t *testing.T, m router.Model, raw json.RawMessage) {
	t.Helper()
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &fields))
	above := 0
	for k := range fields {
		if g := longContextKey.FindStringSubmatch(k); g != nil {
			require.Zero(t, above, "%s: more than one long-context tier in its source", m.ID)
			above, _ = strconv.Atoi(g[1])
		}
	}
	if above == 0 {
		assert.Nil(t, m.LongContext, "%s: its source has no long-context prices", m.ID)
		return
	}
	require.NotNil(t, m.LongContext, "%s: its source prices prompts past %dK tokens", m.ID, above)
	lc := m.LongContext
	assert.Equal(t, above*1000, lc.AboveInputTokens, m.ID)
	price := func(name string) float64 {
		var p float64
		if v, ok := fields[fmt.Sprintf("%s_above_%dk_tokens", name, above)]; ok {
			require.NoError(t, json.Unmarshal(v, &p))
		}
		return p * 1e6
	}
	assert.InDelta(t, price("input_cost_per_token"), lc.InputPerMTok, 1e-6, "%s long-context input price", m.ID)
	assert.InDelta(t, price("output_cost_per_token"), lc.OutputPerMTok, 1e-6, "%s long-context output price", m.ID)
	assert.InDelta(t, price("cache_read_input_token_cost"), lc.CachedInputPerMTok, 1e-6, "%s long-context cached input price", m.ID)
	assert.InDelta(t, price("cache_creation_input_token_cost"), lc.CacheWritePerMTok, 1e-6, "%s long-context cache write price", m.ID)
	assert.InDelta(t, price("cache_creation_input_token_cost_above_1hr"), lc.CacheWrite1hPerMTok, 1e-6, "%s long-context 1-hour cache write price", m.ID)
}

// TestCatalogProfilesAreShipped checks every profile names a model of the
// licensed datasets, in canonical form.
func TestCatalogProfilesAreShipped(t *testing.T) {
	root := sharedDir(t, filepath.Join("data", "canonical"))
	known := map[string]bool{}
	for _, ds := range licensedDatasets {
		raw, err := os.ReadFile(filepath.Join(root, ds, "models.json"))
		require.NoError(t, err)
		var f struct {
			Models map[string]json.RawMessage `json:"models"`
		}
		require.NoError(t, json.Unmarshal(raw, &f))
		for id := range f.Models {
			known[canonicalProfile(id)] = true
		}
	}
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, m := range cat.Versions[0].Models {
		assert.True(t, known[m.Profile], "%s: profile %q is not a model of %v", m.ID, m.Profile, licensedDatasets)
		assert.Equal(t, canonicalProfile(m.Profile), m.Profile, "%s: profile must be canonical", m.ID)
	}
}

// TestReferenceTableMatchesDoc reads the supported-models table out of the
// reference doc and compares it with referenceTable. The doc's table is
// flattened: per version one line of formats, one of names (with footnote
// digits glued on, sometimes two names glued together) and one of versions.
func TestReferenceTableMatchesDoc(t *testing.T) {
	path := filepath.Join(sharedDir(t, "reference"), "azure-model-router-docs.txt")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "| Model router version |") {
			start = i + 2 // skip the |---| line
			break
		}
	}
	require.GreaterOrEqual(t, start, 0, "table header not found")
	cells := func(l string) []string { return strings.Fields(strings.TrimSuffix(strings.TrimSpace(l), "|")) }
	for i, ver := range referenceOrder {
		block := lines[start+4*i : start+4*i+4]
		want := referenceTable[ver]
		assert.Equal(t, []string{ver}, cells(block[0]), "version line")
		var formats, versions, names []string
		for _, r := range want {
			formats = append(formats, r.Format)
			versions = append(versions, r.Version)
			names = append(names, docNamePattern(r.Name))
		}
		assert.Equal(t, formats, cells(block[1]), "formats of %s", ver)
		assert.Regexp(t, `(?i)^\s*`+strings.Join(names, `\s*`)+`\s*\|\s*$`, block[2], "names of %s", ver)
		assert.Equal(t, versions, cells(block[3]), "versions of %s", ver)
	}
}

// docNamePattern matches a model name as the doc prints it: "gpt-4o" is
// written "gpt-4.0", and a footnote digit (1-3) may follow.
func docNamePattern(name string) string {
	doc := strings.Replace(name, "gpt-4o", "gpt-4.0", 1)
	return regexp.QuoteMeta(doc) + `[123]?`
}

func TestParseCatalogRejects(t *testing.T) {
	model := func(edit string) string {
		m := `{"format":"OpenAI","name":"m","version":"1","id":"m","upstream_model":"m","provider":"openai","profile":"p",` +
			`"input_usd_per_mtok":1,"output_usd_per_mtok":2,"price_source":"x","price_date":"2026-01-01",` +
			`"context_window":1000,"max_output":100,"reasoning_tokens":0,"capabilities":{}` + edit + `}`
		return m
	}
	tests := []struct {
		name, json, wantErr string
	}{
		{"ok", `{"latest":"v","models":[` + model("") + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"duplicate id", `{"latest":"v","models":[` + model("") + `,` + model("") + `],"versions":[{"version":"v","models":["m"]}]}`, "duplicate model id"},
		{"unknown model", `{"latest":"v","models":[` + model("") + `],"versions":[{"version":"v","models":["x"]}]}`, `unknown model "x"`},
		{"zero price", `{"latest":"v","models":[` + model(`,"input_usd_per_mtok":0`) + `],"versions":[{"version":"v","models":["m"]}]}`, "prices must be positive"},
		{"cache prices", `{"latest":"v","models":[` + model(`,"cached_input_usd_per_mtok":0.1,"cache_write_usd_per_mtok":1.25`) + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"negative cache price", `{"latest":"v","models":[` + model(`,"cache_write_usd_per_mtok":-1`) + `],"versions":[{"version":"v","models":["m"]}]}`, "cache prices must be positive"},
		{"negative web search price", `{"latest":"v","models":[` + model(`,"web_search_usd_per_1k":-10`) + `],"versions":[{"version":"v","models":["m"]}]}`, "web_search_usd_per_1k must be positive"},
		{"negative web search preview price", `{"latest":"v","models":[` + model(`,"web_search_preview_usd_per_1k":-25`) + `],"versions":[{"version":"v","models":["m"]}]}`, "web_search_preview_usd_per_1k must be positive"},
		{"negative 1-hour cache write price", `{"latest":"v","models":[` + model(`,"cache_write_1h_usd_per_mtok":-1`) + `],"versions":[{"version":"v","models":["m"]}]}`, "cache prices must be positive"},
		{"long-context prices", `{"latest":"v","models":[` + model(`,"long_context":{"above_input_tokens":500,"input_usd_per_mtok":2,"output_usd_per_mtok":3,"cached_input_usd_per_mtok":0.2}`) + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"long-context prices without a threshold", `{"latest":"v","models":[` + model(`,"long_context":{"input_usd_per_mtok":2,"output_usd_per_mtok":3}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "above_input_tokens must be positive"},
		{"long-context prices below the model's own", `{"latest":"v","models":[` + model(`,"long_context":{"above_input_tokens":500,"input_usd_per_mtok":0.5,"output_usd_per_mtok":3}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "below the model's own"},
		{"long-context cache read above its input price", `{"latest":"v","models":[` + model(`,"long_context":{"above_input_tokens":500,"input_usd_per_mtok":2,"output_usd_per_mtok":3,"cached_input_usd_per_mtok":5}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "above its input price"},
		{"flex and priority prices", `{"latest":"v","models":[` + model(`,"service_tiers":{"flex":{"input_usd_per_mtok":0.5,"output_usd_per_mtok":1,"cached_input_usd_per_mtok":0.05},"priority":{"input_usd_per_mtok":2,"output_usd_per_mtok":4}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"a tier that serves prompts up to a length", `{"latest":"v","models":[` + model(`,"service_tiers":{"priority":{"input_usd_per_mtok":2,"output_usd_per_mtok":4,"max_input_tokens":128000}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"a tier's negative prompt limit", `{"latest":"v","models":[` + model(`,"service_tiers":{"priority":{"input_usd_per_mtok":2,"output_usd_per_mtok":4,"max_input_tokens":-1}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "max_input_tokens must be positive"},
		{"a tier named default", `{"latest":"v","models":[` + model(`,"service_tiers":{"default":{"input_usd_per_mtok":1,"output_usd_per_mtok":2}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "standard tier"},
		{"a tier without an output price", `{"latest":"v","models":[` + model(`,"service_tiers":{"flex":{"input_usd_per_mtok":0.5}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "must be positive"},
		{"a tier's cache read above its input price", `{"latest":"v","models":[` + model(`,"service_tiers":{"flex":{"input_usd_per_mtok":0.5,"output_usd_per_mtok":1,"cached_input_usd_per_mtok":0.6}}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "above its input price"},
		{"cache read above the input price", `{"latest":"v","models":[` + model(`,"cached_input_usd_per_mtok":10`) + `],"versions":[{"version":"v","models":["m"]}]}`, "above its input price"},
		{"bad id", `{"latest":"v","models":[` + model(`,"version":"2025-01-01"`) + `],"versions":[{"version":"v","models":["m"]}]}`, `id must be "m-2025-01-01"`},
		{"reasoning tokens on a non-reasoning model", `{"latest":"v","models":[` + model(`,"reasoning_tokens":100`) + `],"versions":[{"version":"v","models":["m"]}]}`, "reasoning_tokens"},
		{"reasoning efforts", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning":true,"reasoning_efforts":["low","high"]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, ""},
		{"reasoning efforts on a non-reasoning model", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning_efforts":["low"]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "only for reasoning models that take reasoning_effort"},
		{"reasoning efforts on a model refusing reasoning_effort", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning":true,"reasoning_effort":false,"reasoning_efforts":["low"]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "only for reasoning models that take reasoning_effort"},
		{"no reasoning efforts", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning":true,"reasoning_efforts":[]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, "reasoning_efforts is empty"},
		{"a reasoning effort off the scale", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning":true,"reasoning_efforts":["low","extreme"]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, `"extreme" is not one of`},
		{"a reasoning effort twice", `{"latest":"v","models":[` + model(`,"capabilities":{"reasoning":true,"reasoning_efforts":["low","low"]}`) + `],"versions":[{"version":"v","models":["m"]}]}`, `lists "low" twice`},
		{"latest missing", `{"latest":"w","models":[` + model("") + `],"versions":[{"version":"v","models":["m"]}]}`, `latest version "w"`},
		{"empty version", `{"latest":"v","models":[` + model("") + `],"versions":[{"version":"v","models":[]}]}`, "has no models"},
		{"unknown field", `{"latest":"v","colour":1,"models":[],"versions":[]}`, "unknown field"},
		{"not json", `{`, "catalog:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.ParseCatalog([]byte(tt.json))
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestCatalogProfilesInShippedModel checks, once `make train` has embedded a
// router model, that it predicts every profile the catalog names: a missing
// one would leave its models unroutable ("router model has no profile").
func TestCatalogProfilesInShippedModel(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Skipf("no embedded router model yet: %v", err)
	}
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, m := range cat.Versions[0].Models {
		assert.Contains(t, card.Profiles, m.Profile, "%s", m.ID)
	}
}

// The Chat Completions and Responses translations carry a json_schema
// format to Claude as output_config.format, which Anthropic's structured
// outputs take on Claude 4.5 models and later, not on Opus 4.1: a Claude
// model that claimed it without taking it would stay eligible for
// json_schema requests and then fail at forward time. Capabilities describe
// what the gateway can deliver.
func TestClaudeModelsClaimStructuredOutputWhereAnthropicTakesIt(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	want := map[string]bool{"claude-haiku-4-5": true, "claude-sonnet-4-5": true, "claude-opus-4-6": true, "claude-opus-4-1": false}
	seen := map[string]bool{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if m.Provider == "anthropic" {
				structured, known := want[m.Name]
				assert.True(t, known, "%s: say whether it takes structured outputs", m.ID)
				assert.Equal(t, structured, m.Capabilities.StructuredOutput, m.ID)
				seen[m.Name] = true
			}
		}
	}
	assert.Len(t, seen, len(want))
}
