package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// candidateColumns are candidates columns as the writer writes them and as
// a hand-edited or older log might hold them.
func candidateColumns() []string {
	written := candidatesJSON([]router.Candidate{
		{Model: "gpt-5", Profile: "o1-mini-2024-09-12", Eligible: true, Quality: 0.8912345678901234, OutputTokens: 812.5, ExpectedCost: 0.00183, Rank: 1, Reason: "chosen"},
		{Model: "gpt-5-nano", Profile: "é/<profile>&", Eligible: true, Quality: 1e-7, OutputTokens: 0, ExpectedCost: 5e-324, Rank: 2, Reason: `"quoted" \ tab	<b>` + "\u2028\xff"},
		{Model: "claude-opus-4-6", Profile: "p", Eligible: false, Quality: -0.5, ExpectedCost: 1e21, Reason: "over budget > $1"},
	})
	return []string{
		written,
		candidatesJSON(nil),
		` [ { "model" : "a" , "eligible" : true , "predicted_quality" : 0.5E+2 , "expected_cost_usd" : -0 } ] `,
		`[{"model":"a","eligible":true,"predicted_quality":0.5,"expected_cost_usd":1,"model":"b","eligible":false}]`,
		`[{"model":null,"eligible":null,"predicted_quality":null,"expected_cost_usd":null}]`,
		`[{"Model":"upper","ELIGIBLE":true}]`,
		`[{"mod\u0065l":"escaped key","eligible":true}]`,
		`[{"model":"caf\u00e9","eligible":true}]`,
		`[{"model":"é","eligible":true}]`,
		`[{"model":"a","extra":{"nested":[1,2]},"eligible":true}]`,
		`[{"model":"a","rank":1.5e3,"reason":"\"ok\" \/ \b\f\n\r\t \u00e9","eligible":true}]`,
		`[{"model":"a","eligible":1}]`,
		`[{"model":"a","predicted_quality":1e400}]`,
		`[{"model":"a","predicted_quality":01}]`,
		`[{"model":"a","predicted_quality":.5}]`,
		`[{"model":"a","reason":"\x"}]`,
		`[{"model":"a","reason":"\u12"}]`,
		"[{\"model\":\"a\",\"reason\":\"raw\ttab\"}]",
		`[{"model":"a"},]`,
		`[{"model":"a"}] trailing`,
		`[null, {"model":"a"}]`,
		`{"model":"not an array"}`,
		`null`,
		`[]`,
		`[`,
		``,
	}
}

func assertSameAsUnmarshal(t *testing.T, col string) {
	t.Helper()
	var want []candidate
	wantErr := json.Unmarshal([]byte(col), &want)
	got, err := reportCandidates(col)
	if wantErr != nil {
		assert.Error(t, err, "%s", col)
		return
	}
	require.NoError(t, err, "%s", col)
	if len(want) == 0 {
		assert.Empty(t, got, "%s", col)
		return
	}
	assert.Equal(t, want, got, "%s", col)
}

// The report reads the candidates by hand for speed; every column must
// read as json.Unmarshal reads it, or fail where it fails.
func TestReportReadsCandidatesAsUnmarshalDoes(t *testing.T) {
	for _, col := range candidateColumns() {
		assertSameAsUnmarshal(t, col)
	}
	_, handled := scanCandidates(candidateColumns()[0])
	assert.True(t, handled, "the writer's own columns take the fast path")
}

func FuzzReportReadsCandidatesAsUnmarshalDoes(f *testing.F) {
	for _, col := range candidateColumns() {
		f.Add(col)
	}
	f.Fuzz(assertSameAsUnmarshal)
}
