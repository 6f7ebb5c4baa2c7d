package openai

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectionDetailsAppendJSONMatchesMarshal(t *testing.T) {
	floats := []float64{0, math.Copysign(0, -1), 1, 0.5, 0.123456789012345678, 1e-6, 9.99e-7, 1.5e-7, 1e-10, 1e-100, 1e20, 1e21, 3.4e38, -2.5e-9, 123456.789, 5e-324}
	var cands []SelectionCandidate
	for i, f := range floats {
		cands = append(cands, SelectionCandidate{
			Model: "gpt-4.1-2025-04-14", Profile: `gpt-4o "stand-in" \\`, PredictedQuality: f, ExpectedCostUSD: -f / 3, Rank: i - 1,
			Reason: []string{"", "ranked 1: best quality", `quote " back \ slash`, "<b>&amp;</b>", "tab\tnew\nline\x01", "é ü \u2028 \u2029 😀", "bad \xff utf8"}[i%7],
		})
	}
	tests := []struct {
		name string
		sd   SelectionDetails
	}{
		{"zero value (nil slices)", SelectionDetails{}},
		{"empty slices", SelectionDetails{Candidates: []SelectionCandidate{}, FallbacksTried: []FallbackTried{}}},
		{"full", SelectionDetails{
			Mode: "balanced", ChosenModel: "o4-mini", AnsweredModel: "gpt-4.1", Candidates: cands,
			FallbacksTried:  []FallbackTried{{Model: "o4-mini", Status: 503, Error: "HTTP 503"}, {Model: "x"}, {Model: "y", Error: "<timeout>"}},
			SessionAffinity: true, RouterLatencyMS: 0.081,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.sd)
			require.NoError(t, err)
			got, err := tt.sd.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

func TestSelectionDetailsAppendJSONRefusesNaN(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, marshalErr := json.Marshal(SelectionDetails{RouterLatencyMS: f})
		require.Error(t, marshalErr)
		_, err := SelectionDetails{RouterLatencyMS: f}.AppendJSON(nil)
		assert.Error(t, err)
		_, err = SelectionDetails{Candidates: []SelectionCandidate{{ExpectedCostUSD: f}}}.AppendJSON(nil)
		assert.Error(t, err)
	}
}

// FuzzSelectionDetailsAppendJSON compares the encoder with json.Marshal on
// any text and numbers.
func FuzzSelectionDetailsAppendJSON(f *testing.F) {
	f.Add("balanced", "gpt-4.1", "ranked 1", 0.5, 1e-7, 3, 503)
	f.Add("<&>", "\xff\u2028", "\"\\", 1e21, math.Copysign(0, -1), -1, 0)
	f.Fuzz(func(t *testing.T, mode, model, reason string, q, cost float64, rank, status int) {
		sd := SelectionDetails{Mode: mode, ChosenModel: model, AnsweredModel: reason, RouterLatencyMS: q,
			Candidates:     []SelectionCandidate{{Model: model, Profile: reason, PredictedQuality: q, ExpectedCostUSD: cost, Rank: rank, Reason: reason}},
			FallbacksTried: []FallbackTried{{Model: model, Status: status, Error: reason}}}
		want, wantErr := json.Marshal(sd)
		got, err := sd.AppendJSON(nil)
		if wantErr != nil {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	})
}
