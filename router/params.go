package router

import "slices"

// reasoningUnsupported are the parameters reasoning (o-series style) models
// do not take; the reference drops them when such a model is chosen.
var reasoningUnsupported = []string{
	"temperature", "top_p", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
}

// SupportsParam reports whether m accepts the request parameter p as sent.
// Unknown parameters are assumed supported: the upstream is the judge.
func SupportsParam(m Model, p string) bool {
	switch p {
	case "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call":
		return m.Capabilities.Tools
	case "response_format":
		return m.Capabilities.StructuredOutput
	case "reasoning_effort", "reasoning":
		return m.Capabilities.TakesReasoningEffort()
	case "verbosity":
		return m.Capabilities.Verbosity
	case "web_search_options":
		return m.Capabilities.WebSearch
	case "prediction":
		return m.Capabilities.PredictedOutputs
	}
	if m.Capabilities.Reasoning {
		for _, u := range reasoningUnsupported {
			if p == u {
				return false
			}
		}
	}
	return true
}

// DroppedParams lists the parameters removed from a request forwarded to m
// (the reference's rules: reasoning models lose sampling parameters, other
// models lose reasoning_effort, as do reasoning models that refuse it).
func DroppedParams(m Model) []string {
	switch {
	case m.Capabilities.Reasoning && !m.Capabilities.TakesReasoningEffort():
		return reasoningWithoutEffort
	case m.Capabilities.Reasoning:
		return reasoningUnsupported
	}
	return []string{"reasoning_effort"}
}

var reasoningWithoutEffort = append(append([]string(nil), reasoningUnsupported...), "reasoning_effort")

// EffortScale orders the reasoning_effort values of OpenAI's API, least
// reasoning first ("max", the SDK's newest value, above xhigh).
var EffortScale = []string{"none", "minimal", "low", "medium", "high", "xhigh", "max"}

// TakesEffort reports whether a model with capabilities c takes the
// reasoning effort v as sent, which EffortFor then leaves as it is.
func (c Capabilities) TakesEffort(v string) bool { return c.EffortFor(v) == v }

// EffortFor is the reasoning effort to send a model with capabilities c
// when the client asked for v: v itself when c lists no efforts, when v is
// among them, or when v is not on EffortScale (the provider judges a value
// we do not know); otherwise the listed value nearest to v on the scale.
// Of two equally near, the higher wins (minimal on a model taking none and
// low gets low): none turns reasoning off, and an answer with a little more
// reasoning than asked is closer to what the client wanted than one with
// none.
func (c Capabilities) EffortFor(v string) string {
	want := slices.Index(EffortScale, v)
	if len(c.ReasoningEfforts) == 0 || want < 0 || slices.Contains(c.ReasoningEfforts, v) {
		return v
	}
	best, bestDist := v, len(EffortScale)
	for _, e := range c.ReasoningEfforts {
		i := slices.Index(EffortScale, e)
		if i < 0 {
			continue
		}
		d := i - want
		if d < 0 {
			d = -d
		}
		if d < bestDist || (d == bestDist && i > slices.Index(EffortScale, best)) {
			best, bestDist = e, d
		}
	}
	return best
}
