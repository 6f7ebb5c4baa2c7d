package router

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
