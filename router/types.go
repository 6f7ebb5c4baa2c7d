// Package router is the domain of modelrouter: deployments, modes, candidate
// models, capability filters and the policy that turns per-candidate
// predictions into a ranked decision. It imports the standard library only:
// no HTTP, SQL or ONNX code lives here.
package router

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Mode is a deployment's routing mode. Modes are quality bands: Quality picks
// the best predicted model, Balanced and Cost the cheapest model whose
// predicted quality is within a band of the best.
type Mode string

const (
	ModeBalanced Mode = "balanced"
	ModeQuality  Mode = "quality"
	ModeCost     Mode = "cost"
)

// Modes lists the valid modes in the order users see them.
var Modes = []Mode{ModeBalanced, ModeQuality, ModeCost}

// ParseMode accepts a mode name in any case; empty means "not set".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return "", nil
	case ModeBalanced, ModeQuality, ModeCost:
		return m, nil
	}
	return "", Errorf(EInvalid, "unknown routing mode %q; valid modes: balanced, quality, cost", s)
}

// Capabilities are what a model can take in a request.
type Capabilities struct {
	Reasoning        bool `json:"reasoning"`
	Tools            bool `json:"tools"`
	Vision           bool `json:"vision"`
	StructuredOutput bool `json:"structured_output"`
	// Files: reads file (PDF) content parts (Chat `file`, Responses
	// `input_file`).
	Files bool `json:"files,omitempty"`
	// ReasoningEffort, when set, says whether a reasoning model takes
	// reasoning_effort (Responses: reasoning); unset, it does exactly
	// when Reasoning is set. xAI's grok-4 reasons but refuses the
	// parameter with a 400.
	ReasoningEffort *bool `json:"reasoning_effort,omitempty"`
	// ReasoningEfforts, when set, are the reasoning_effort values the model
	// accepts, from EffortScale; the gateway sends it the one nearest to the
	// client's (EffortFor). Unset, the client's value goes as sent. The
	// router, not the client, picked the model, so a value only another
	// model takes must not become the provider's 400.
	ReasoningEfforts []string `json:"reasoning_efforts,omitempty"`
	// Verbosity: takes `verbosity` (Responses: text.verbosity) at low,
	// medium and high, as the GPT-5 models do. OpenAI's earlier models
	// refuse any value but medium with a 400 unsupported_value, which does
	// not fail over, so a model without it loses the parameter.
	Verbosity bool `json:"verbosity,omitempty"`
	// WebSearch: searches the web for Chat's `web_search_options` (OpenAI's
	// search-preview models). OpenAI's other models refuse the parameter
	// (400 unknown_parameter) and another provider may answer without
	// searching, so a call that sets it is left to models that have it.
	WebSearch bool `json:"web_search,omitempty"`
	// AudioOutput: answers in audio for Chat's `modalities` with "audio"
	// (or `audio`), as OpenAI's audio models do; a call asking for audio
	// is left to models that have it.
	AudioOutput bool `json:"audio_output,omitempty"`
	// PredictedOutputs: takes Chat's `prediction` (OpenAI's Predicted
	// Outputs: gpt-4o and gpt-4.1 and their minis). It only speeds up an
	// answer, so a model without it gets the call without it rather than
	// a provider's 400 that does not fail over.
	PredictedOutputs bool `json:"predicted_outputs,omitempty"`
	// Flex: takes `service_tier: "flex"` (OpenAI's Flex processing, half
	// price and slower, on the models its pricing page lists for it).
	// OpenAI and Azure answer flex for any other model with a 400 that
	// does not fall back to the standard tier, and the router chose the
	// model, so such a model gets the call without it.
	Flex bool `json:"flex,omitempty"`
}

// TakesReasoningEffort reports whether the model accepts reasoning_effort.
func (c Capabilities) TakesReasoningEffort() bool {
	if c.ReasoningEffort != nil {
		return *c.ReasoningEffort
	}
	return c.Reasoning
}

// Model is one underlying LLM a router version can route to.
type Model struct {
	// Format, Name and Version identify the model as the reference's
	// deployment API does ({"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}).
	Format  string `json:"format"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// ID is what the response's `model` field says and what the decision log
	// stores, e.g. "gpt-4.1-2025-04-14".
	ID string `json:"id"`
	// UpstreamModel is the model name sent to the provider (often Name).
	UpstreamModel string `json:"upstream_model"`
	// Provider names the upstream configuration that serves the model
	// ("openai", "anthropic", "deepseek", "xai", "meta", ...).
	Provider string `json:"provider"`
	// Profile is the router-model profile whose predictions stand in for
	// this model (see models/ and router.json's profiles).
	Profile string `json:"profile"`

	InputPerMTok  float64 `json:"input_usd_per_mtok"`
	OutputPerMTok float64 `json:"output_usd_per_mtok"`
	// CachedInputPerMTok is the price of prompt tokens read from the
	// provider's prompt cache, CacheWritePerMTok that of prompt tokens
	// written to it (Anthropic bills writes above the input price, OpenAI
	// not at all). 0 (left out): the provider's table has no such price,
	// and those tokens are billed at InputPerMTok.
	CachedInputPerMTok float64 `json:"cached_input_usd_per_mtok,omitempty"`
	CacheWritePerMTok  float64 `json:"cache_write_usd_per_mtok,omitempty"`
	// CacheWrite1hPerMTok is the price of prompt tokens written to a
	// cache that keeps them an hour (Anthropic's ttl "1h", billed 2x the
	// input price where its 5-minute writes are 1.25x); 0: such writes
	// are billed at CacheWritePrice.
	CacheWrite1hPerMTok float64 `json:"cache_write_1h_usd_per_mtok,omitempty"`
	// WebSearchPer1K is what the provider bills per 1,000 searches its
	// server-side web search tool runs for an answer, beside the tokens
	// (Anthropic: $10; OpenAI's web_search tool: $10); 0: searches cost
	// nothing apart, or their price has no source.
	WebSearchPer1K float64 `json:"web_search_usd_per_1k,omitempty"`
	// WebSearchPreviewPer1K, when set, is what the provider bills instead
	// per 1,000 searches of its older web_search_preview tool (OpenAI:
	// $25 for its models without reasoning, whose search content it does
	// not bill, where web_search is $10); 0: such searches cost
	// WebSearchPer1K.
	WebSearchPreviewPer1K float64 `json:"web_search_preview_usd_per_1k,omitempty"`
	// LongContext, when set, is what the provider bills instead for a call
	// whose prompt is past its threshold (Claude Sonnet 4.5 past 200K
	// input tokens): every token of that call, output included.
	LongContext *LongContextPrices `json:"long_context,omitempty"`
	// ServiceTiers are the prices of the processing tiers other than the
	// standard one that the provider bills apart ("flex", "priority"),
	// by the name its answers' `service_tier` gives them (PricedAtTier).
	ServiceTiers map[string]TierPrices `json:"service_tiers,omitempty"`
	PriceSource  string                `json:"price_source"`
	PriceDate    string                `json:"price_date"`

	ContextWindow int `json:"context_window"`
	MaxOutput     int `json:"max_output"`
	// MaxInput, when set, caps the prompt below the context window (the
	// GPT-5 models: 272K of their 400K).
	MaxInput int `json:"max_input,omitempty"`
	// MaxTokensOnly marks a model whose provider's Chat Completions API
	// reads the output limit only from max_tokens and silently ignores
	// max_completion_tokens (DeepSeek's API), which the OpenAI SDKs send:
	// the gateway renames it, or the client's limit would be lost.
	MaxTokensOnly bool `json:"max_tokens_only,omitempty"`
	// ReasoningTokens is the expected number of hidden, billed reasoning
	// tokens per answer for reasoning models (0 for others): public answer
	// lengths do not show them, so expected cost adds them.
	ReasoningTokens float64 `json:"reasoning_tokens"`

	Capabilities Capabilities `json:"capabilities"`
	// RequiresDeployment marks models (Claude) that must be deployed by the
	// user before a subset may name them.
	RequiresDeployment bool `json:"requires_deployment"`
	Preview            bool `json:"preview"`
}

// CacheReadPrice is what a prompt token read from the cache costs per
// million: CachedInputPerMTok, or the input price where there is none.
func (m Model) CacheReadPrice() float64 {
	if m.CachedInputPerMTok > 0 {
		return m.CachedInputPerMTok
	}
	return m.InputPerMTok
}

// CacheWritePrice is what a prompt token written to the cache costs per
// million: CacheWritePerMTok, or the input price where there is none.
func (m Model) CacheWritePrice() float64 {
	if m.CacheWritePerMTok > 0 {
		return m.CacheWritePerMTok
	}
	return m.InputPerMTok
}

// CacheWrite1hPrice is what a prompt token written to the 1-hour cache
// costs per million: CacheWrite1hPerMTok, or CacheWritePrice where there
// is none.
func (m Model) CacheWrite1hPrice() float64 {
	if m.CacheWrite1hPerMTok > 0 {
		return m.CacheWrite1hPerMTok
	}
	return m.CacheWritePrice()
}

// LongContextPrices are a model's prices for a call whose prompt (cache
// reads and writes included, as Anthropic counts it) is more than
// AboveInputTokens. A cache price left out bills those tokens at the
// tier's input price, as a model's own do.
type LongContextPrices struct {
	AboveInputTokens    int     `json:"above_input_tokens"`
	InputPerMTok        float64 `json:"input_usd_per_mtok"`
	OutputPerMTok       float64 `json:"output_usd_per_mtok"`
	CachedInputPerMTok  float64 `json:"cached_input_usd_per_mtok,omitempty"`
	CacheWritePerMTok   float64 `json:"cache_write_usd_per_mtok,omitempty"`
	CacheWrite1hPerMTok float64 `json:"cache_write_1h_usd_per_mtok,omitempty"`
}

// PricedFor returns m with the prices its provider bills a call whose
// prompt is promptTokens long: its long-context prices past their
// threshold, its own up to it. The provider bills the whole call at the
// tier's prices, not only the tokens past the threshold.
func (m Model) PricedFor(promptTokens int) Model {
	lc := m.LongContext
	if lc == nil || promptTokens <= lc.AboveInputTokens {
		return m
	}
	m.InputPerMTok, m.OutputPerMTok = lc.InputPerMTok, lc.OutputPerMTok
	m.CachedInputPerMTok, m.CacheWritePerMTok, m.CacheWrite1hPerMTok = lc.CachedInputPerMTok, lc.CacheWritePerMTok, lc.CacheWrite1hPerMTok
	m.LongContext = nil
	return m
}

// Ref is how deployments name a model.
type Ref struct {
	Format  string `json:"format"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Ref returns the model's deployment reference.
func (m Model) Ref() Ref { return Ref{Format: m.Format, Name: m.Name, Version: m.Version} }

// Version is one router version with exactly its model set.
type Version struct {
	Version string  `json:"version"`
	Models  []Model `json:"models"`
}

// Catalog holds every router version; Latest names the newest.
type Catalog struct {
	Versions []Version `json:"versions"`
	Latest   string    `json:"latest"`
}

// Model finds a model by ID in any version.
func (c Catalog) Model(id string) (Model, bool) {
	for _, v := range c.Versions {
		for _, m := range v.Models {
			if m.ID == id {
				return m, true
			}
		}
	}
	return Model{}, false
}

// Deployment is a router deployment: a name clients address, the router
// version it runs, its mode and an optional model subset.
type Deployment struct {
	Name          string `json:"name"`
	RouterVersion string `json:"router_version"`
	Mode          Mode   `json:"mode"`
	// Models is the custom subset, by model ID; empty means the full set of
	// the router version.
	Models []string `json:"models,omitempty"`
	// SKUName and Capacity follow the reference: capacity 10 means 10,000
	// tokens per minute.
	SKUName  string `json:"sku_name"`
	Capacity int    `json:"capacity"`
	// LeftOut are models of the router version that the deployment cannot
	// route to for a reason of its own, not the request's: a Claude model
	// with no deployment of the router's SKU (Foundry's model router
	// routes to Claude only once it is deployed on its own). They are no
	// candidates (Candidates leaves them out, Decide never chooses nor
	// tries them), but a decision shows each as excluded with its reason,
	// which says what to do, where it would otherwise just be missing.
	LeftOut []LeftOut `json:"left_out,omitempty"`
}

// LeftOut is a model a deployment leaves out and why.
type LeftOut struct {
	Model string `json:"model"` // the model's ID
	// Reason says why and what to do, as a candidate's reason after
	// "excluded: ".
	Reason string `json:"reason"`
}

// LeftOutLogReason is the reason the decision log gives a candidate the
// deployment leaves out (Candidate.LeftOut), in place of the long one: a
// row's candidates are written on every call, and the long reasons of
// four left-out models made a row take a 4 KiB database page alone.
const LeftOutLogReason = "excluded: not deployed"

// leftOut returns why the deployment leaves model id out, "" if it does not.
func (d Deployment) leftOut(id string) string {
	for _, l := range d.LeftOut {
		if l.Model == id {
			return l.Reason
		}
	}
	return ""
}

// Needs are what a request requires of the model that answers it.
type Needs struct {
	Tools            bool
	Vision           bool
	StructuredOutput bool
	// Files: the request carries file (PDF) content parts.
	Files bool
	// WebSearch: the call sets Chat's web_search_options; AudioOutput:
	// it asks for an answer in audio. Only models with the capability
	// can serve them.
	WebSearch   bool
	AudioOutput bool
	// ServiceTier is the processing tier the call asks for: a Chat
	// Completions or Responses call's `service_tier` ("flex",
	// "priority", "auto", ...), "" for none. Each model is weighed at the
	// tier it is served at (ServedTier): a model without
	// Capabilities.Flex gets a flex call without the tier, or with
	// RequireParameters is left out.
	ServiceTier string
	// OpenAIOnly limits candidates to OpenAI-format models (agent tools).
	OpenAIOnly bool
	// StoredAtOpenAI names what the request refers to by an id only
	// OpenAI can resolve ("conversation conv_1", "file file-1"): only the
	// openai provider's models are eligible.
	StoredAtOpenAI string
	// InputTokens is the prompt's token count (or a calibrated estimate);
	// MaxOutputTokens the output the client asked room for (0: not set).
	InputTokens     int
	MaxOutputTokens int
	// DefaultOutput is, by model ID, the output the call's way to that
	// model asks for when MaxOutputTokens is 0: the max_tokens a
	// translation sends because the provider's API requires one (Claude's
	// Messages API, reached from Chat Completions or Responses). The
	// provider refuses a prompt plus that output over the context window,
	// so the window must hold it as it holds a client's own limit, and the
	// model stops there, so its expected cost counts no more output.
	DefaultOutput map[string]int
	// Truncates names, by model ID, the models whose provider cuts the
	// prompt to fit their context window itself (a Responses call's
	// truncation: "auto", as OpenAI and Azure read it): the prompt need
	// not fit them, and they bill only what they keep of it.
	Truncates map[string]bool
	// Answers is how many answers the call asks for (Chat's n), each
	// billed and each within MaxOutputTokens; 0 or 1: one.
	Answers int
	// Params are the request parameters the client set (e.g. "temperature",
	// "logprobs"); with RequireParameters only models supporting all are
	// eligible.
	Params            []string
	RequireParameters bool
	// ReasoningEffort is the reasoning effort the client set
	// (reasoning_effort on Chat Completions, reasoning.effort on
	// Responses), "" for none. With RequireParameters a model that does
	// not take that value as sent (Capabilities.TakesEffort) is left out;
	// without, the gateway sends it the nearest one it takes.
	ReasoningEffort string
	// DerivedEffort is, by model ID, the reasoning effort the call's way
	// to that model derives from other parameters: a Messages call's
	// thinking or output_config.effort, translated for an
	// OpenAI-compatible reasoning model. The model gets that value mapped
	// as it would get ReasoningEffort, so RequireParameters holds it to
	// the model's efforts the same way.
	DerivedEffort map[string]string
	// Thinking is, by model ID, the extended thinking a Messages call asks
	// of a model that reads its thinking member itself (Claude, on a
	// provider that speaks the Messages API): budget_tokens for
	// {"type":"enabled"}, 0 for {"type":"adaptive"}, which sets no budget.
	// A model not in it is asked for none (thinking disabled or not set,
	// or translated into a reasoning_effort: DerivedEffort).
	Thinking map[string]int
	// Dropped names, by model ID, the Params that the call's way to that
	// model does not carry as sent: a translation into its provider's API
	// (a Chat Completions call to Claude) has no form for them, or changes
	// them. The model takes them no more than one that refuses them, so
	// with RequireParameters they leave it out too.
	Dropped map[string][]string
	// DroppedWhy says, by model ID, why the translation does not carry one
	// of Dropped as sent, where it can say more than that it does not (the
	// rule of OpenAI's strict mode a schema breaks): the model's reason
	// adds it, so the client learns what to change.
	DroppedWhy map[string]string
}

// Request is what the router needs to decide one call.
type Request struct {
	// Prompt is the text the router model reads.
	Prompt string
	Needs  Needs
	// Mode overrides the deployment's mode when set.
	Mode Mode
	// Models narrows the deployment's subset (model IDs); never widens it.
	Models []string
	// ModelsScope says what chose Models, as an error names them after
	// "no model" when none can serve the request: "in
	// routing_config.models" when empty; a caller that narrows for a
	// reason of its own says so (`named by "model"`), lest the client be
	// told of a routing_config it never sent.
	ModelsScope string
	// SessionKey, when set, keeps one conversation on one model.
	SessionKey string
	// Prefer, when set, is the model ID the conversation stays on when
	// SessionKey has no pin: one the caller already knows, such as the
	// writer of the answer a continuation carries on. It is followed as a
	// pin is and never written, so a conversation whose every turn names
	// a new answer fills no session table.
	Prefer string
	// ReadOnlyAffinity makes a decision that forwards nothing (a dry run)
	// follow the session's pin without writing one: a simulation must not
	// move the real conversation.
	ReadOnlyAffinity bool
}

// Considered names the models the request is routed among, as its errors
// say it after "no model": the deployment's, or those Models narrows
// them to (ModelsScope).
func (r Request) Considered() string {
	switch {
	case len(r.Models) == 0:
		return "in the deployment"
	case r.ModelsScope != "":
		return r.ModelsScope
	}
	return "in routing_config.models"
}

// Estimate is the router model's prediction for one profile.
type Estimate struct {
	// Quality is the calibrated probability that the profile answers well.
	Quality float64 `json:"quality"`
	// OutputTokens is the expected answer length in tokens.
	OutputTokens float64 `json:"output_tokens"`
}

// Prediction maps profile name to its estimate, for one prompt.
type Prediction map[string]Estimate

// Predictor is the trained router model. Implementations are safe for
// concurrent use and return one Prediction per prompt, in order.
type Predictor interface {
	Predict(ctx context.Context, prompts []string) ([]Prediction, error)
}

// Bands are the quality bands of the Balanced and Cost modes, as fractions
// of the best predicted quality (0.02 means "within 2 %"), each in [0, 1].
type Bands struct {
	Balanced float64 `json:"balanced"`
	Cost     float64 `json:"cost"`
	// given marks bands read from JSON (a router model's card), where 0
	// and 0 are what calibration chose (no band above 0 kept the quality
	// loss within its limit), not bands left out, which get DefaultBands.
	given bool
}

// UnmarshalJSON reads bands as a router model's card gives them: both
// bands, where even 0 and 0 are the bands to apply. null, or an object
// naming neither, leaves them unset (DefaultBands). One band without the
// other is refused: calibration writes both, and the other mode would be
// served at a default chosen for no router model in particular.
func (b *Bands) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var v struct {
		Balanced *float64 `json:"balanced"`
		Cost     *float64 `json:"cost"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch {
	case v.Balanced == nil && v.Cost == nil:
		*b = Bands{}
	case v.Balanced == nil:
		return oneBandOnly("cost", *v.Cost, "balanced")
	case v.Cost == nil:
		return oneBandOnly("balanced", *v.Balanced, "cost")
	default:
		*b = Bands{Balanced: *v.Balanced, Cost: *v.Cost, given: true}
	}
	return nil
}

func oneBandOnly(named string, band float64, missing string) error {
	return fmt.Errorf("bands name no %s band beside %s %v: give both bands or neither (neither is balanced %v, cost %v)",
		missing, named, band, DefaultBands.Balanced, DefaultBands.Cost)
}

// DefaultBands apply when the router model's card gives none (Bands'
// zero value, as a Config that sets none has).
var DefaultBands = Bands{Balanced: 0.02, Cost: 0.06}

// Candidate is one model's numbers in a decision and why it won or lost.
type Candidate struct {
	Model    string `json:"model"`
	Profile  string `json:"profile"`
	Eligible bool   `json:"eligible"`
	// LeftOut marks a model the deployment leaves out (Deployment.LeftOut),
	// whose Reason (what to deploy) is the same on every call of the
	// deployment: the decision log writes it short, as LeftOutLogReason,
	// and the dry run and model_selection_details show Reason whole. It
	// sits beside Eligible, in that bool's padding, so a Candidate stays
	// 88 bytes.
	LeftOut      bool    `json:"-"`
	Quality      float64 `json:"predicted_quality"`
	OutputTokens float64 `json:"predicted_output_tokens"`
	ExpectedCost float64 `json:"expected_cost_usd"`
	// Rank is the failover order among eligible candidates (1 = chosen);
	// 0 for ineligible ones.
	Rank   int    `json:"rank"`
	Reason string `json:"reason"`
}

// Decision is the router's answer for one request.
type Decision struct {
	Deployment    string `json:"deployment"`
	RouterVersion string `json:"router_version"`
	// RouterModel names the router model that predicted (Config.RouterModel).
	RouterModel string      `json:"-"`
	Mode        Mode        `json:"mode"`
	Chosen      Model       `json:"-"`
	ChosenID    string      `json:"chosen_model"`
	Fallbacks   []Model     `json:"-"` // ranked, chosen excluded
	Candidates  []Candidate `json:"candidates"`
	// BestQuality is q*, Threshold the quality the chosen model had to reach.
	BestQuality float64 `json:"best_quality"`
	Threshold   float64 `json:"threshold"`
	// Propensity is the probability the policy had of making this choice
	// (1 for the deterministic policy); kept for off-policy evaluation.
	Propensity float64 `json:"propensity"`
	// Affinity is true when session affinity, not the policy, chose.
	Affinity bool          `json:"session_affinity"`
	Latency  time.Duration `json:"-"`
	// ranked is Chosen then Fallbacks in one array, Fallbacks its tail,
	// as Decide lays them out (see Order).
	ranked []Model
}

// ModelsHeld is about how many Models the decision's own arrays hold, for
// an estimate of the memory it keeps (the decision log's held rows):
// Decide's one array of Chosen then Fallbacks (see Order), or Fallbacks'
// for a decision made otherwise.
func (d Decision) ModelsHeld() int { return max(len(d.ranked), len(d.Fallbacks)) }

// Order is the models a call tries in turn: Chosen, then Fallbacks. A
// Model is some 300 bytes, so for Decide's decisions this is the array
// Fallbacks is the tail of, not a copy of the catalog's every model on
// every call; a decision made otherwise gets a copy. The array is shared:
// callers read it and do not write it. Chosen is recognised by its ID, so
// a Chosen edited in place under the same ID is not seen here (no caller
// does; comparing whole Models would cost more than the copy saved).
func (d Decision) Order() []Model {
	if n := len(d.Fallbacks); len(d.ranked) == n+1 && d.ranked[0].ID == d.Chosen.ID && (n == 0 || &d.ranked[1] == &d.Fallbacks[0]) {
		return d.ranked
	}
	return append([]Model{d.Chosen}, d.Fallbacks...)
}
