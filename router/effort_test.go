package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A reasoning effort the model refuses becomes the nearest value it takes
// on none < minimal < low < medium < high < xhigh < max, the higher of two
// equally near; a value it takes, a value off the scale and any value for a
// model listing no efforts are sent as the client sent them.
func TestEffortForSendsTheNearestEffortTheModelTakes(t *testing.T) {
	oSeries := router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"low", "medium", "high"}}
	gpt5 := router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"minimal", "low", "medium", "high"}}
	gpt51 := router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"none", "low", "medium", "high"}}
	gpt52 := router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"none", "low", "medium", "high", "xhigh"}}
	tests := []struct {
		name string
		c    router.Capabilities
		in   string
		want string
	}{
		{"minimal on the o-series", oSeries, "minimal", "low"},
		{"none on the o-series", oSeries, "none", "low"},
		{"xhigh on the o-series", oSeries, "xhigh", "high"},
		{"max on the o-series", oSeries, "max", "high"},
		{"none on gpt-5", gpt5, "none", "minimal"},
		{"xhigh on gpt-5", gpt5, "xhigh", "high"},
		{"minimal on gpt-5.1, a tie between none and low", gpt51, "minimal", "low"},
		{"minimal on gpt-5.2, a tie between none and low", gpt52, "minimal", "low"},
		{"max on gpt-5.2", gpt52, "max", "xhigh"},
		{"a value the model takes", gpt52, "xhigh", "xhigh"},
		{"a value off the scale", oSeries, "extreme", "extreme"},
		{"no list", router.Capabilities{Reasoning: true}, "minimal", "minimal"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.c.EffortFor(tt.in), tt.name)
	}
}

// With require_parameters, a model whose listed efforts lack the value the
// client asked for is left out, as for any parameter it does not take as
// sent, and says which values it takes; a model that lists none, or lists
// the value, stays. Without require_parameters the value is mapped (above)
// and the model stays a candidate.
func TestRequireParametersLeavesOutAModelThatDoesNotListTheEffort(t *testing.T) {
	caps := func(efforts ...string) router.Capabilities {
		return router.Capabilities{Reasoning: true, ReasoningEfforts: efforts}
	}
	catalog := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		{ID: "o-series", Format: "OpenAI", Profile: "p-o", InputPerMTok: 1, OutputPerMTok: 4, Capabilities: caps("low", "medium", "high")},
		{ID: "gpt-5.2", Format: "OpenAI", Profile: "p-52", InputPerMTok: 2, OutputPerMTok: 8, Capabilities: caps("none", "low", "medium", "high", "xhigh")},
		{ID: "unlisted", Format: "OpenAI", Profile: "p-u", InputPerMTok: 3, OutputPerMTok: 12, Capabilities: caps()},
	}}}}
	r, err := router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: router.Prediction{
		"p-o": {Quality: 0.9, OutputTokens: 100}, "p-52": {Quality: 0.9, OutputTokens: 100}, "p-u": {Quality: 0.9, OutputTokens: 100},
	}}})
	require.NoError(t, err)
	decide := func(effort string, strict bool) router.Decision {
		t.Helper()
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{Needs: router.Needs{
			Params: []string{"reasoning_effort"}, ReasoningEffort: effort, RequireParameters: strict}})
		require.NoError(t, err)
		return d
	}
	reasons := func(d router.Decision) map[string]string {
		out := map[string]string{}
		for _, c := range d.Candidates {
			out[c.Model] = c.Reason
		}
		return out
	}

	d := decide("xhigh", true)
	assert.Equal(t, "gpt-5.2", d.ChosenID, "the cheapest model that takes xhigh")
	why := reasons(d)
	assert.Equal(t, `excluded: require_parameters and unsupported reasoning effort "xhigh" (takes low, medium, high)`, why["o-series"])
	assert.NotContains(t, why["unlisted"], "excluded", "a model listing no efforts is the provider's to judge")

	assert.Equal(t, "o-series", decide("xhigh", false).ChosenID, "without require_parameters the effort is mapped")
	assert.Equal(t, "o-series", decide("high", true).ChosenID, "a listed value leaves the model in")
	assert.NotContains(t, reasons(decide("extreme", true))["o-series"], "excluded", "a value off the scale is the provider's to judge")
}

// A Messages call sets no reasoning effort itself; its translation for an
// OpenAI-compatible model derives one from thinking or output_config.effort
// (Needs.DerivedEffort). With require_parameters that value is held to the
// model's listed efforts as a client's own reasoning_effort is.
func TestRequireParametersLeavesOutAModelThatDoesNotListTheDerivedEffort(t *testing.T) {
	catalog := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		{ID: "pro", Format: "OpenAI", Profile: "p-pro", InputPerMTok: 1, OutputPerMTok: 4,
			Capabilities: router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"high"}}},
		{ID: "o-series", Format: "OpenAI", Profile: "p-o", InputPerMTok: 2, OutputPerMTok: 8,
			Capabilities: router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"low", "medium", "high"}}},
	}}}}
	r, err := router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: router.Prediction{
		"p-pro": {Quality: 0.9, OutputTokens: 100}, "p-o": {Quality: 0.9, OutputTokens: 100},
	}}})
	require.NoError(t, err)
	decide := func(effort string, strict bool) router.Decision {
		t.Helper()
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{Needs: router.Needs{
			Params: []string{"thinking"}, RequireParameters: strict,
			DerivedEffort: map[string]string{"pro": effort, "o-series": effort}}})
		require.NoError(t, err)
		return d
	}

	d := decide("low", true)
	assert.Equal(t, "o-series", d.ChosenID, "the model that takes low as derived")
	for _, c := range d.Candidates {
		if c.Model == "pro" {
			assert.Equal(t, `excluded: require_parameters and unsupported reasoning effort "low" (takes high)`, c.Reason)
		}
	}
	assert.Equal(t, "pro", decide("low", false).ChosenID, "without require_parameters the derived effort is mapped")
	assert.Equal(t, "pro", decide("high", true).ChosenID, "a listed value leaves the cheaper model in")
}
