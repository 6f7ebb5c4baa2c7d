package router

import "slices"

// ThinkingTokens is the hidden reasoning expected of a model asked for
// extended thinking (Needs.Thinking) whose catalog figure is 0 because it
// thinks only when asked (Claude). No figure is published for how much of
// its budget Claude spends, so it is the figure the catalog gives OpenAI's
// reasoning models at their default effort, 4x the one measured answer
// (gpt-5-mini's 128 reasoning tokens): a Messages call with thinking
// reaches those models as a reasoning_effort (low, medium or high by
// budget) that keeps that figure, so both sides of the comparison are
// priced alike.
const ThinkingTokens = 512

// ReasoningTokens is the hidden reasoning m is expected to bill per answer
// of a call with needs n, as the call reaches m:
//
//   - asked for extended thinking it reads itself (Claude on the Messages
//     API), the catalog's figure, or ThinkingTokens where that is 0, at
//     most the thinking budget, the most Claude may think;
//   - sent reasoning effort none or minimal, as one its catalog lists
//     (after EffortFor maps the client's value, or the one a translation
//     derives), 0: OpenAI documents none as no reasoning and minimal as
//     very few reasoning tokens, with no figure to use instead;
//   - otherwise the catalog's figure: no figure is published for low,
//     high or the other efforts, and a model that does not take
//     reasoning_effort (it is dropped) or lists no efforts (the provider
//     reads the value its own way) reasons as it does by default.
func (n Needs) ReasoningTokens(m Model) float64 {
	if budget, on := n.Thinking[m.ID]; on {
		t := m.ReasoningTokens
		if t == 0 {
			t = ThinkingTokens
		}
		if budget > 0 {
			t = min(t, float64(budget))
		}
		return t
	}
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
