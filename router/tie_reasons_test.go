package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A candidate that ties the chosen one on what the mode ranks by first
// lost on what breaks the tie, and its reason says so: with max_tokens 50
// two models with the same prices (gpt-5 and gpt-5-chat) cost the same,
// and one must not read that it cost more than the other.
func TestTiedCandidatesSayWhatBrokeTheTie(t *testing.T) {
	cheapSame := func(id string) router.Model { return logicModel(id, 1, 10) }
	tests := []struct {
		name   string
		mode   router.Mode
		pred   router.Prediction
		models []router.Model
		needs  router.Needs
		want   string // the reason of b, ranked second
	}{
		{
			name: "same cost in the band, lower quality", mode: router.ModeBalanced,
			pred:   router.Prediction{"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.89, OutputTokens: 300}},
			models: []router.Model{cheapSame("a"), cheapSame("b")}, needs: router.Needs{InputTokens: 10, MaxOutputTokens: 50},
			want: "lost: within the band at the same expected cost $0.000510, predicted quality 0.890 below 0.900",
		},
		{
			name: "same quality, higher cost", mode: router.ModeQuality,
			pred:   router.Prediction{"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.90, OutputTokens: 100}},
			models: []router.Model{logicModel("a", 1, 1), logicModel("b", 1, 10)}, needs: router.Needs{InputTokens: 10},
			want: "lost: same predicted quality 0.900, expected cost $0.001010 above $0.000110",
		},
		{
			name: "same quality and cost in the band", mode: router.ModeCost,
			pred:   router.Prediction{"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.90, OutputTokens: 100}},
			models: []router.Model{cheapSame("a"), cheapSame("b")}, needs: router.Needs{InputTokens: 10},
			want: "lost: same predicted quality and expected cost as the chosen model, listed before it",
		},
		{
			name: "same quality and cost", mode: router.ModeQuality,
			pred:   router.Prediction{"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.90, OutputTokens: 100}},
			models: []router.Model{cheapSame("a"), cheapSame("b")}, needs: router.Needs{InputTokens: 10},
			want: "lost: same predicted quality and expected cost as the chosen model, listed before it",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := logicRouter(t, tc.pred, tc.models...)
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: tc.mode}, router.Request{Needs: tc.needs})
			require.NoError(t, err)
			require.Equal(t, "a", d.ChosenID)
			assert.Equal(t, 2, d.Candidates[1].Rank)
			assert.Equal(t, tc.want, d.Candidates[1].Reason)
		})
	}
}
