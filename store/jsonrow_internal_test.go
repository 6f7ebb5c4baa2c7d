package store

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestJSONColumnsMatchMarshal(t *testing.T) {
	floats := []float64{0, 1, 0.5, 0.1234567890123, 1e-6, 9.99e-7, 1.5e-7, 1e-100, 1e20, 1e21, -2.5e-9, 123456.789, 5e-324, 1e300}
	var cands []router.Candidate
	for i, f := range floats {
		cands = append(cands, router.Candidate{
			Model: "gpt-4.1", Profile: []string{"gpt-4.1", "é/<profile>&"}[i%2], Eligible: i%3 == 0,
			Quality: f, OutputTokens: f * 1000, ExpectedCost: -f, Rank: i,
			Reason: []string{"", "ranked 1", `"quoted" \\`, "tab\t\u2028\xff"}[i%4],
		})
	}
	attempts := []router.Attempt{
		{Model: "a", Status: 503, Error: "HTTP 503 <busy>", Latency: 1500 * time.Microsecond},
		{Model: "b", Latency: 0},
		{Model: "c", Status: 200, Latency: -1, UpstreamRequestID: "req_<0a1b>"},
	}
	tests := []struct {
		name string
		got  string
		want any
	}{
		{"no candidates", candidatesJSON(nil), []router.Candidate{}},
		{"candidates", candidatesJSON(cands), cands},
		{"no attempts", attemptsJSON(nil), []router.Attempt{}},
		{"attempts", attemptsJSON(attempts), attempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.want)
			require.NoError(t, err)
			assert.Equal(t, string(want), tt.got)
		})
	}
}

func TestCandidatesJSONWritesNonFiniteAsZero(t *testing.T) {
	got := candidatesJSON([]router.Candidate{{Model: "m", Quality: math.NaN(), OutputTokens: math.Inf(1), ExpectedCost: math.Inf(-1)}})
	want, err := json.Marshal([]router.Candidate{{Model: "m"}})
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// A model the deployment leaves out is written as json.Marshal writes its
// name with eligible false, rank 0 and the short reason, its other
// fields and long reason left off, among candidates written whole.
func TestCandidatesJSONWritesALeftOutModelShort(t *testing.T) {
	routed := router.Candidate{Model: "gpt-5", Profile: "gpt-5", Eligible: true, Quality: 0.7, OutputTokens: 800, ExpectedCost: 0.002, Rank: 1, Reason: "chosen"}
	leftOut := router.Candidate{Model: "claude-\"opus\"", Profile: "claude-opus", Quality: 0.9, Reason: "excluded: claude-opus must be deployed first", LeftOut: true}
	type short struct {
		Model    string `json:"model"`
		Eligible bool   `json:"eligible"`
		Rank     int    `json:"rank"`
		Reason   string `json:"reason"`
	}
	want, err := json.Marshal([]any{routed, short{Model: leftOut.Model, Reason: router.LeftOutLogReason}})
	require.NoError(t, err)
	assert.Equal(t, string(want), candidatesJSON([]router.Candidate{routed, leftOut}))
}

// BenchmarkCandidatesJSON encodes one request's candidates as the decision
// log writer does for every row (22 models, the shipped default).
func BenchmarkCandidatesJSON(b *testing.B) {
	cands := make([]router.Candidate, 22)
	for i := range cands {
		cands[i] = router.Candidate{Model: "gpt-4.1-mini-2025-04-14", Profile: "gpt-4.1-mini", Eligible: true,
			Quality: 0.61234 + float64(i)/97, OutputTokens: 412.5 + float64(i), ExpectedCost: 0.00031 * float64(i+1), Rank: i + 1,
			Reason: "lost: within the band but expected cost $0.000412 above $0.000123"}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = candidatesJSON(cands)
	}
}

// FuzzJSONColumnsMatchMarshal compares the hand encoders with json.Marshal
// on any text and numbers (non-finite numbers are written as 0).
func FuzzJSONColumnsMatchMarshal(f *testing.F) {
	f.Add("gpt-4.1", "<p>&\u2028", "ranked 1", 0.5, 1e-7, 1e21, 3, 503, int64(1500))
	f.Add("\xff", "\"\\", "\t\n", math.Copysign(0, -1), 5e-324, math.Inf(1), -1, 0, int64(-1))
	f.Fuzz(func(t *testing.T, model, profile, reason string, q, tokens, cost float64, rank, status int, latency int64) {
		cs := []router.Candidate{{Model: model, Profile: profile, Eligible: rank > 0, Quality: q, OutputTokens: tokens, ExpectedCost: cost, Rank: rank, Reason: reason}}
		clean := cs[0]
		clean.Quality, clean.OutputTokens, clean.ExpectedCost = finite(q), finite(tokens), finite(cost)
		want, err := json.Marshal([]router.Candidate{clean})
		require.NoError(t, err)
		assert.Equal(t, string(want), candidatesJSON(cs))

		as := []router.Attempt{{Model: model, Status: status, Error: reason, Latency: time.Duration(latency), UpstreamRequestID: profile}, {Model: profile}}
		want, err = json.Marshal(as)
		require.NoError(t, err)
		assert.Equal(t, string(want), attemptsJSON(as))
	})
}
