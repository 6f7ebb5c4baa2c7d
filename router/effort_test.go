package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
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
