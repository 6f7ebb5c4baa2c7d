package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The hidden reasoning expected of a model follows the effort it is sent:
// the client's (or the one a translation derives) mapped to the nearest the
// model lists. none and minimal, sent as values the model lists, expect no
// reasoning; every other effort, a model that drops reasoning_effort and a
// model listing no efforts keep the catalog's figure.
func TestTheEffortAModelIsSentSetsItsExpectedReasoning(t *testing.T) {
	reasoner := func(id string, tokens float64, efforts ...string) router.Model {
		return router.Model{ID: id, ReasoningTokens: tokens,
			Capabilities: router.Capabilities{Reasoning: true, ReasoningEfforts: efforts}}
	}
	gpt5 := reasoner("gpt-5", 512, "minimal", "low", "medium", "high")
	gpt52 := reasoner("gpt-5.2", 128, "none", "low", "medium", "high", "xhigh")
	oSeries := reasoner("o4-mini", 512, "low", "medium", "high")
	unlisted := reasoner("deepseek", 512)
	refuses := false
	grok := router.Model{ID: "grok-4", ReasoningTokens: 1024,
		Capabilities: router.Capabilities{Reasoning: true, ReasoningEffort: &refuses}}
	claude := router.Model{ID: "claude"}

	tests := []struct {
		name   string
		m      router.Model
		effort string
		want   float64
	}{
		{"no effort: the model's default", gpt5, "", 512},
		{"minimal on gpt-5", gpt5, "minimal", 0},
		{"none on gpt-5, sent as minimal", gpt5, "none", 0},
		{"low on gpt-5: no published figure", gpt5, "low", 512},
		{"high on gpt-5: no published figure", gpt5, "high", 512},
		{"none on gpt-5.2", gpt52, "none", 0},
		{"minimal on gpt-5.2, sent as low", gpt52, "minimal", 128},
		{"none on the o-series, sent as low", oSeries, "none", 512},
		{"none on a model listing no efforts: the provider reads it its own way", unlisted, "none", 512},
		{"minimal on a model that refuses reasoning_effort: dropped", grok, "minimal", 1024},
		{"none on Claude from Chat Completions: dropped, and Claude does not think", claude, "none", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, router.Needs{ReasoningEffort: tt.effort}.ReasoningTokens(tt.m), tt.name)
	}

	derived := router.Needs{ReasoningEffort: "minimal", DerivedEffort: map[string]string{"gpt-5": "high"}}
	assert.Equal(t, 512.0, derived.ReasoningTokens(gpt5), "the effort the translation derives for the model is the one it is sent")
}

// A model asked for extended thinking it reads itself (Claude on the
// Messages API) is expected to think ThinkingTokens, though its catalog
// figure is 0 (it thinks only when asked), at most its budget; adaptive
// thinking sets no budget. A model not asked, or asked through a
// translation, keeps its own figure.
func TestThinkingAModelReadsItselfIsCountedUpToItsBudget(t *testing.T) {
	claude := router.Model{ID: "claude"}
	gpt5 := router.Model{ID: "gpt-5", ReasoningTokens: 512, Capabilities: router.Capabilities{Reasoning: true}}

	assert.Equal(t, 0.0, router.Needs{}.ReasoningTokens(claude), "thinking is opt-in")
	assert.Equal(t, float64(router.ThinkingTokens), router.Needs{Thinking: map[string]int{"claude": 10_000}}.ReasoningTokens(claude))
	assert.Equal(t, 300.0, router.Needs{Thinking: map[string]int{"claude": 300}}.ReasoningTokens(claude), "never more than the budget")
	assert.Equal(t, float64(router.ThinkingTokens), router.Needs{Thinking: map[string]int{"claude": 0}}.ReasoningTokens(claude), "adaptive: no budget")
	assert.Equal(t, 512.0, router.Needs{Thinking: map[string]int{"claude": 300}}.ReasoningTokens(gpt5), "not the model asked")
}

// The effort changes the pick. gpt-5-mini ($0.25/$2 per million, 512
// reasoning tokens) and gpt-4.1-mini ($0.4/$1.6) on a 1,000-token prompt
// with 100-token answers: at its default effort the reasoner costs
// $0.001474 and loses to $0.000560; at minimal it costs $0.000450 and wins.
// Claude Haiku ($1/$5) costs $0.001500 without thinking and beats gpt-4.1
// ($2/$8, $0.002800); asked to think it costs $0.004060 and loses, and the
// client's max_tokens caps its thinking with its answer.
func TestTheEffortAskedForChangesTheCheapestModel(t *testing.T) {
	model := func(id string, in, out, reasoning float64, efforts ...string) router.Model {
		m := logicModel(id, in, out)
		m.ContextWindow, m.MaxOutput, m.ReasoningTokens = 100_000, 10_000, reasoning
		if reasoning > 0 {
			m.Capabilities.Reasoning, m.Capabilities.ReasoningEfforts = true, efforts
		}
		return m
	}
	r := logicRouter(t, router.Prediction{
		"p-gpt-5-mini": {Quality: 0.8, OutputTokens: 100}, "p-gpt-4.1-mini": {Quality: 0.8, OutputTokens: 100},
		"p-claude-haiku": {Quality: 0.8, OutputTokens: 100}, "p-gpt-4.1": {Quality: 0.8, OutputTokens: 100},
	},
		model("gpt-5-mini", 0.25, 2, 512, "minimal", "low", "medium", "high"), model("gpt-4.1-mini", 0.4, 1.6, 0),
		model("claude-haiku", 1, 5, 0), model("gpt-4.1", 2, 8, 0))
	decide := func(models []string, n router.Needs) router.Decision {
		t.Helper()
		n.InputTokens = 1000
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: router.ModeCost}, router.Request{Models: models, Needs: n})
		require.NoError(t, err)
		return d
	}

	minis := []string{"gpt-5-mini", "gpt-4.1-mini"}
	d := decide(minis, router.Needs{})
	assert.Equal(t, "gpt-4.1-mini", d.ChosenID)
	assert.InDelta(t, (1000*0.25+612*2)/1e6, candidate(t, d, "gpt-5-mini").ExpectedCost, 1e-12)
	d = decide(minis, router.Needs{ReasoningEffort: "minimal"})
	assert.Equal(t, "gpt-5-mini", d.ChosenID, "minimal effort: no hidden reasoning to pay for")
	assert.InDelta(t, (1000*0.25+100*2)/1e6, candidate(t, d, "gpt-5-mini").ExpectedCost, 1e-12)

	pair := []string{"claude-haiku", "gpt-4.1"}
	assert.Equal(t, "claude-haiku", decide(pair, router.Needs{}).ChosenID)
	d = decide(pair, router.Needs{Thinking: map[string]int{"claude-haiku": 10_000}})
	assert.Equal(t, "gpt-4.1", d.ChosenID, "Claude asked to think pays for its thinking")
	assert.InDelta(t, (1000*1+612*5)/1e6, candidate(t, d, "claude-haiku").ExpectedCost, 1e-12)
	d = decide(pair, router.Needs{Thinking: map[string]int{"claude-haiku": 10_000}, MaxOutputTokens: 300})
	assert.InDelta(t, (1000*1+300*5)/1e6, candidate(t, d, "claude-haiku").ExpectedCost, 1e-12, "thinking and answer stop at max_tokens")
}
