package models

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/modelrouter/modelrouter/router"
)

//go:embed catalog.json
var catalogJSON []byte

// catalogFile is catalog.json's shape: every model once, and each router
// version as a list of model IDs, so a model shared by versions cannot drift
// between them.
type catalogFile struct {
	Latest string         `json:"latest"`
	Models []catalogModel `json:"models"`
	// Versions are newest first.
	Versions []struct {
		Version string   `json:"version"`
		Models  []string `json:"models"`
	} `json:"versions"`
}

// catalogModel is a model plus free-text notes for people reading the file
// (why a price is an estimate, why a capability differs from a price table).
type catalogModel struct {
	router.Model
	Notes string `json:"notes,omitempty"`
}

// Catalog returns the embedded catalog, checked: IDs unique, prices positive,
// every version's models known, the latest version present. Each call returns
// a fresh copy the caller may modify.
func Catalog() (router.Catalog, error) {
	return ParseCatalog(catalogJSON)
}

// ParseCatalog reads and checks a catalog in catalog.json's format.
func ParseCatalog(data []byte) (router.Catalog, error) {
	var f catalogFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return router.Catalog{}, fmt.Errorf("catalog: %w", err)
	}
	byID := make(map[string]router.Model, len(f.Models))
	for _, cm := range f.Models {
		m := cm.Model
		if err := checkModel(m); err != nil {
			return router.Catalog{}, fmt.Errorf("catalog: model %q: %w", m.ID, err)
		}
		if _, dup := byID[m.ID]; dup {
			return router.Catalog{}, fmt.Errorf("catalog: duplicate model id %q", m.ID)
		}
		byID[m.ID] = m
	}
	cat := router.Catalog{Latest: f.Latest}
	for _, v := range f.Versions {
		if slices.ContainsFunc(cat.Versions, func(o router.Version) bool { return o.Version == v.Version }) {
			return router.Catalog{}, fmt.Errorf("catalog: duplicate router version %q", v.Version)
		}
		if len(v.Models) == 0 {
			return router.Catalog{}, fmt.Errorf("catalog: router version %q has no models", v.Version)
		}
		ver := router.Version{Version: v.Version}
		for _, id := range v.Models {
			m, ok := byID[id]
			if !ok {
				return router.Catalog{}, fmt.Errorf("catalog: router version %q names unknown model %q", v.Version, id)
			}
			if slices.ContainsFunc(ver.Models, func(o router.Model) bool { return o.ID == id }) {
				return router.Catalog{}, fmt.Errorf("catalog: router version %q lists %q twice", v.Version, id)
			}
			ver.Models = append(ver.Models, m)
		}
		cat.Versions = append(cat.Versions, ver)
	}
	if !slices.ContainsFunc(cat.Versions, func(v router.Version) bool { return v.Version == cat.Latest }) {
		return router.Catalog{}, fmt.Errorf("catalog: latest version %q is not listed", cat.Latest)
	}
	return cat, nil
}

func checkModel(m router.Model) error {
	switch {
	case m.ID == "" || m.Name == "" || m.Format == "" || m.Version == "":
		return fmt.Errorf("format, name, version and id are required")
	case m.ID != ModelID(m.Name, m.Version):
		return fmt.Errorf("id must be %q (name-version, or the name for version \"1\")", ModelID(m.Name, m.Version))
	case m.UpstreamModel == "" || m.Provider == "" || m.Profile == "":
		return fmt.Errorf("upstream_model, provider and profile are required")
	case m.PriceSource == "" || m.PriceDate == "":
		return fmt.Errorf("price_source and price_date are required")
	case m.ContextWindow <= 0 || m.MaxOutput <= 0:
		return fmt.Errorf("context_window and max_output must be positive")
	case m.ReasoningTokens < 0 || (m.ReasoningTokens > 0 && !m.Capabilities.Reasoning):
		return fmt.Errorf("reasoning_tokens must be >= 0 and only set for reasoning models")
	case m.WebSearchPer1K < 0:
		return fmt.Errorf("web_search_usd_per_1k must be positive, or left out for a model whose searches cost nothing apart")
	case m.WebSearchPreviewPer1K < 0:
		return fmt.Errorf("web_search_preview_usd_per_1k must be positive, or left out for a model whose web_search_preview searches cost web_search_usd_per_1k")
	}
	if err := checkPrices("", priceSet{m.InputPerMTok, m.OutputPerMTok, m.CachedInputPerMTok, m.CacheWritePerMTok, m.CacheWrite1hPerMTok}); err != nil {
		return err
	}
	if err := checkLongContext(m); err != nil {
		return err
	}
	if err := checkServiceTiers(m); err != nil {
		return err
	}
	return checkEfforts(m.Capabilities)
}

// checkServiceTiers refuses tier prices billing could not use as meant:
// a tier named "default" or "auto" (the standard prices are the model's
// own), a price not positive, a cache read above the tier's input price,
// a negative max_input_tokens, or tiers beside long-context prices, which
// no provider's table combines and Model.PricedAtTier does not mix.
func checkServiceTiers(m router.Model) error {
	if len(m.ServiceTiers) > 0 && m.LongContext != nil {
		return fmt.Errorf("service_tiers beside long_context prices are not supported")
	}
	for name, p := range m.ServiceTiers {
		if name == "" || name == "default" || name == "auto" {
			return fmt.Errorf("service_tiers: %q is the standard tier, whose prices are the model's own", name)
		}
		if err := checkPrices("service_tiers "+name+" ", priceSet{in: p.InputPerMTok, out: p.OutputPerMTok, cached: p.CachedInputPerMTok}); err != nil {
			return err
		}
		if p.MaxInputTokens < 0 {
			return fmt.Errorf("service_tiers %s max_input_tokens must be positive, or left out for a tier that serves any prompt", name)
		}
	}
	return nil
}

// checkLongContext refuses a long-context tier billing could not use as
// meant: without a threshold, with a price not positive, a cache read
// above its input price, or prices below the model's own (providers
// charge more for a long prompt, never less).
func checkLongContext(m router.Model) error {
	lc := m.LongContext
	switch {
	case lc == nil:
		return nil
	case lc.AboveInputTokens <= 0:
		return fmt.Errorf("long_context.above_input_tokens must be positive")
	}
	if err := checkPrices("long_context ", priceSet{lc.InputPerMTok, lc.OutputPerMTok, lc.CachedInputPerMTok, lc.CacheWritePerMTok, lc.CacheWrite1hPerMTok}); err != nil {
		return err
	}
	if lc.InputPerMTok < m.InputPerMTok || lc.OutputPerMTok < m.OutputPerMTok {
		return fmt.Errorf("long_context prices (%g in, %g out) are below the model's own (%g in, %g out)", lc.InputPerMTok, lc.OutputPerMTok, m.InputPerMTok, m.OutputPerMTok)
	}
	return nil
}

// priceSet is one set of per-million-token prices: a model's own, its
// long-context ones or a service tier's (which has no cache writes).
type priceSet struct{ in, out, cached, write, write1h float64 }

// checkPrices refuses a price set billing could not use, its messages
// led by what (the set's place in the entry, "" for the model's own).
func checkPrices(what string, p priceSet) error {
	switch {
	case p.in <= 0 || p.out <= 0:
		return fmt.Errorf("%sprices must be positive (got %g in, %g out)", what, p.in, p.out)
	case p.cached < 0 || p.write < 0 || p.write1h < 0:
		return fmt.Errorf("%scache prices must be positive, or left out to bill cached tokens at the input price", what)
	case p.cached > p.in:
		// A cache read above the input price is a typo: no provider
		// bills reading its cache more than reading the prompt.
		return fmt.Errorf("%scached_input_usd_per_mtok %g is above its input price %g", what, p.cached, p.in)
	}
	return nil
}

// checkEfforts refuses a reasoning_efforts list the gateway could not map
// to: one on a model that takes no reasoning_effort, an empty one (which
// would read as "takes nothing", what reasoning_effort: false says), or one
// with a value off router.EffortScale or listed twice.
func checkEfforts(c router.Capabilities) error {
	if c.ReasoningEfforts == nil {
		return nil
	}
	if !c.TakesReasoningEffort() {
		return fmt.Errorf("reasoning_efforts is only for reasoning models that take reasoning_effort")
	}
	if len(c.ReasoningEfforts) == 0 {
		return fmt.Errorf("reasoning_efforts is empty: leave it out, or set reasoning_effort: false for a model that refuses it")
	}
	for i, e := range c.ReasoningEfforts {
		if !slices.Contains(router.EffortScale, e) {
			return fmt.Errorf("reasoning_efforts: %q is not one of %v", e, router.EffortScale)
		}
		if slices.Contains(c.ReasoningEfforts[:i], e) {
			return fmt.Errorf("reasoning_efforts lists %q twice", e)
		}
	}
	return nil
}

// ModelID is a catalog model's ID: "name-version" for dated versions
// (gpt-5-mini-2025-08-07), the bare name for models versioned "1".
func ModelID(name, version string) string {
	if version == "1" || version == "" {
		return name
	}
	return name + "-" + version
}
