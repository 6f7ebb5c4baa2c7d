package router

import "slices"

// ReasoningTokens is the hidden reasoning m is expected to bill per answer
// of a call with needs n, as the call reaches m:
//
//   - sent reasoning effort none or minimal, as one its catalog lists
//     (after EffortFor maps the client's value, or the one a translation
//     derives), 0: OpenAI documents none as no reasoning and minimal as
//     very few reasoning tokens, with no figure to use instead;
//   - otherwise the catalog's figure: no figure is published for low,
//     high or the other efforts, and a model that does not take
//     reasoning_effort (it is dropped) or lists no efforts (the provider
//     reads the value its own way) reasons as it does by default.
func (n Needs) ReasoningTokens(m Model) float64 {
	switch v := m.Capabilities.EffortFor(n.askedEffort(m.ID)); v {
	case "none", "minimal":
		if slices.Contains(m.Capabilities.ReasoningEfforts, v) {
			return 0
		}
	}
	return m.ReasoningTokens
}

// askedEffort is the reasoning effort a call with needs n asks model id
// for before it is mapped to one the model takes: the one the call's
// translation to id derives (DerivedEffort), else the client's own.
func (n Needs) askedEffort(id string) string {
	if d := n.DerivedEffort[id]; d != "" {
		return d
	}
	return n.ReasoningEffort
}
