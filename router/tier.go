package router

// TierPrices are what a provider bills, per million tokens, for an answer
// it served at a processing tier other than its standard one: OpenAI's
// `flex` (about half the standard price, slower) and `priority` (about
// twice it, faster). A cache price left out bills cached tokens at the
// tier's input price.
type TierPrices struct {
	InputPerMTok       float64 `json:"input_usd_per_mtok"`
	OutputPerMTok      float64 `json:"output_usd_per_mtok"`
	CachedInputPerMTok float64 `json:"cached_input_usd_per_mtok,omitempty"`
	// MaxInputTokens, when set, is the longest prompt the tier serves: the
	// provider serves a longer one at its standard tier, and its answer
	// says so (OpenAI leaves requests estimated at over 128K prompt tokens
	// to gpt-4.1 and the GPT-5 models out of priority). 0: any prompt.
	// Needs.ServedTier reads it; an answer's bill does not, as the tier
	// its answer names is the one it was billed at.
	MaxInputTokens int `json:"max_input_tokens,omitempty"`
}

// PricedAtTier returns m with the prices its provider bills an answer
// that says it was served at tier (the answer's `service_tier`): the
// tier's own where m has them, m's as they are for the standard tier
// ("default", "auto" or none) and for a tier m has no prices for. The
// catalog gives no model both tiers and long-context prices, so a tier's
// prices leave the long-context ones out rather than mix them.
func (m Model) PricedAtTier(tier string) Model {
	p, ok := m.ServiceTiers[tier]
	if !ok {
		return m
	}
	m.InputPerMTok, m.OutputPerMTok, m.CachedInputPerMTok = p.InputPerMTok, p.OutputPerMTok, p.CachedInputPerMTok
	m.ServiceTiers, m.LongContext = nil, nil
	return m
}

// ServedTier is the processing tier m serves a call with needs n at, as
// the gateway sends it the call: the tier asked for, but the standard one
// ("") for flex on a model without Capabilities.Flex, which gets the call
// without it, and for a prompt longer than the tier serves
// (TierPrices.MaxInputTokens, counted as PromptFor counts it), which the
// provider serves at its standard tier. Expected cost prices m at it
// (PricedAtTier), so a flex call weighs a model with flex at its flex
// prices against one without at its standard prices, as each will be
// billed; so is an answer that names no tier (a cut stream's estimate).
func (n Needs) ServedTier(m Model) string {
	if n.ServiceTier == "flex" && !m.Capabilities.Flex {
		return ""
	}
	if p, ok := m.ServiceTiers[n.ServiceTier]; ok && p.MaxInputTokens > 0 && n.PromptFor(m) > p.MaxInputTokens {
		return ""
	}
	return n.ServiceTier
}
