package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/training/dataset"
)

func labelsDataset() *dataset.Dataset {
	return &dataset.Dataset{Name: "d", Models: map[string]dataset.Price{
		"Meta-Llama-3_1-70B-Instruct": {Input: 1, Output: 2},
		"gpt-x":                       {Input: 3, Output: 4},
		"lengths-only":                {Input: 1, Output: 1},
	}, Items: []dataset.Item{
		{ID: "d/1", InputTokens: 1000, Results: map[string]dataset.Result{
			"Meta-Llama-3_1-70B-Instruct": {Score: ptr(1), OutputTokens: ptr(100)},
			"gpt-x":                       {Score: ptr(0), OutputTokens: nil},
			"lengths-only":                {OutputTokens: ptr(5)},
		}},
		{ID: "d/2", InputTokens: 10, Results: map[string]dataset.Result{
			"Meta-Llama-3_1-70B-Instruct": {Score: ptr(0), OutputTokens: ptr(300)},
			"gpt-x":                       {Score: ptr(1), OutputTokens: ptr(50)},
		}},
		{ID: "d/3", InputTokens: 10, Results: map[string]dataset.Result{
			"gpt-x": {Score: ptr(1), OutputTokens: ptr(70)},
		}},
	}}
}

func TestBuildTableDefaultsToLabelledModels(t *testing.T) {
	tb, err := BuildTable(labelsDataset(), nil, nil)
	require.NoError(t, err)
	require.Len(t, tb.Candidates, 2)
	assert.Equal(t, "Meta-Llama-3_1-70B-Instruct", tb.Candidates[0].Name)
	assert.Equal(t, "llama-3.1-70b-instruct", tb.Candidates[0].Profile, "dataset.Canonical by default")
	assert.Equal(t, 2, len(tb.Rows))
	assert.Equal(t, 1, tb.Skipped, "d/3 lacks a llama label")
	// gpt-x has no answer length on d/1: its dataset mean (60) stands in.
	assert.Equal(t, 60.0, tb.Rows[0].OutputTokens[1])
	assert.InDelta(t, (1000*3+60*4)/1e6, tb.Rows[0].Cost[1], 1e-15)
	assert.InDelta(t, (1000*1+100*2)/1e6, tb.Rows[0].Cost[0], 1e-15)
	assert.Empty(t, tb.NoAnswerLengths, "both record some answer lengths")
}

func TestBuildTableNamesCandidatesWithoutAnyAnswerLength(t *testing.T) {
	d := labelsDataset()
	for _, it := range d.Items {
		if r, ok := it.Results["gpt-x"]; ok {
			r.OutputTokens = nil
			it.Results["gpt-x"] = r
		}
	}
	tb, err := BuildTable(d, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"gpt-x"}, tb.NoAnswerLengths)
	assert.InDelta(t, 1000*3/1e6, tb.Rows[0].Cost[1], 1e-15, "input tokens only")

}

func TestBuildTableMapOverridesProfiles(t *testing.T) {
	m, err := ParseMap([]string{"gpt-x=gpt-4o-2024-08-06"})
	require.NoError(t, err)
	tb, err := BuildTable(labelsDataset(), []string{"gpt-x", "Meta-Llama-3_1-70B-Instruct"}, m)
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o-2024-08-06", tb.Candidates[0].Profile)
	assert.Equal(t, "llama-3.1-70b-instruct", tb.Candidates[1].Profile)
}

func TestBuildTableErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		candidates []string
		mapping    []string
		want       string
	}{
		{"unknown candidate", []string{"gpt-x", "nope"}, nil, `candidate "nope" has no quality labels`},
		{"lengths only", []string{"gpt-x", "lengths-only"}, nil, `candidate "lengths-only" has no quality labels`},
		{"one candidate", []string{"gpt-x"}, nil, "at least 2 candidates"},
		{"twice", []string{"gpt-x", "gpt-x"}, nil, `"gpt-x" named twice`},
		{"map of a non-candidate", []string{"gpt-x", "Meta-Llama-3_1-70B-Instruct"}, []string{"other=p"}, `--map names "other"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMap(tc.mapping)
			require.NoError(t, err)
			_, err = BuildTable(labelsDataset(), tc.candidates, m)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := ParseMap([]string{"novalue"})
	require.ErrorContains(t, err, "want datasetModel=profile")
}

// A labelled model that models.json has no price for is reported as a
// missing price, not as missing labels (it has them).
func TestBuildTableNamesAMissingPrice(t *testing.T) {
	d := labelsDataset()
	delete(d.Models, "gpt-x")
	for _, names := range [][]string{{"Meta-Llama-3_1-70B-Instruct", "gpt-x"}, nil} {
		_, err := BuildTable(d, names, nil)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "has no quality labels", "gpt-x has quality labels: %v", err)
		assert.ErrorContains(t, err, `candidate "gpt-x" has quality labels but no price in dataset d: models.json has no entry for it`)
	}
}

// A dataset built in memory (not through dataset.Load) with a prompt
// whose scores are all negative is refused, not left to an oracle that
// finds no pick.
func TestBuildTableRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	d := labelsDataset()
	d.Items[1].Results["Meta-Llama-3_1-70B-Instruct"] = dataset.Result{Score: ptr(-0.5), OutputTokens: ptr(300)}
	d.Items[1].Results["gpt-x"] = dataset.Result{Score: ptr(-0.5), OutputTokens: ptr(50)}
	_, err := BuildTable(d, nil, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "d/2")
	assert.Contains(t, err.Error(), "outside [0,1]")
}

func TestCheckProfilesNamesTheCandidate(t *testing.T) {
	tb, err := BuildTable(labelsDataset(), nil, nil)
	require.NoError(t, err)
	require.NoError(t, CheckProfiles(tb, []string{"llama-3.1-70b-instruct", "gpt-x"}))
	err = CheckProfiles(tb, []string{"gpt-x"})
	require.ErrorContains(t, err, `candidate "Meta-Llama-3_1-70B-Instruct" maps to profile "llama-3.1-70b-instruct"`)
	require.ErrorContains(t, err, "--map Meta-Llama-3_1-70B-Instruct=<profile>")
}

func TestDefaultCandidatesKeepModelsTheRouterKnows(t *testing.T) {
	d := labelsDataset()
	assert.Equal(t, []string{"Meta-Llama-3_1-70B-Instruct", "gpt-x"}, DefaultCandidates(d, nil, nil))
	assert.Equal(t, []string{"Meta-Llama-3_1-70B-Instruct"}, DefaultCandidates(d, nil, []string{"llama-3.1-70b-instruct", "other"}))
	assert.Equal(t, []string{"Meta-Llama-3_1-70B-Instruct", "gpt-x"},
		DefaultCandidates(d, map[string]string{"gpt-x": "other"}, []string{"llama-3.1-70b-instruct", "other"}))
}

func TestSetReasoningTokensBillsHiddenTokens(t *testing.T) {
	tb, err := BuildTable(labelsDataset(), nil, nil)
	require.NoError(t, err)
	before := tb.Rows[0].Cost[1]
	require.NoError(t, tb.SetReasoningTokens(map[string]float64{"gpt-x": 500}))
	assert.InDelta(t, before+500*4/1e6, tb.Rows[0].Cost[1], 1e-15)
	assert.Equal(t, 500.0, tb.Candidates[1].ReasoningTokens)
	require.ErrorContains(t, tb.SetReasoningTokens(map[string]float64{"nope": 1}), `"nope", which is not a candidate`)
	for _, n := range []float64{-1, math.NaN(), math.Inf(1)} {
		require.ErrorContains(t, tb.SetReasoningTokens(map[string]float64{"gpt-x": n}), "want a finite count >= 0")
	}
}

func TestAMissingProfileNamesTheClosestByName(t *testing.T) {
	profiles := []string{"gpt-4-0314", "gpt-4-turbo-2024-04-09", "gpt-4o-2024-05-13", "mixtral-8x7b-instruct-v0.1", "qwen2-72b-instruct"}
	tb := &Table{Candidates: []Candidate{{Name: "gpt-4-1106-preview", Profile: "gpt-4-1106-preview"}}}
	err := CheckProfiles(tb, profiles)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--map gpt-4-1106-preview=<profile> (closest by name: gpt-4-0314, gpt-4-turbo-2024-04-09) with one of:")

	assert.Equal(t, []string{"mixtral-8x7b-instruct-v0.1"}, nearestProfiles("mixtral-8x22b-instruct-v0.1", profiles))
	assert.Empty(t, nearestProfiles("claude-v2", profiles), "nothing shares a family name")
}

func TestCheckMapNamesAnUnknownProfile(t *testing.T) {
	profiles := []string{"gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18", "mixtral-8x7b-instruct-v0.1"}
	require.NoError(t, CheckMap(map[string]string{"x": "gpt-4o-2024-05-13"}, profiles))
	require.NoError(t, CheckMap(map[string]string{"x": "anything"}, nil), "no profile list: nothing to check")
	err := CheckMap(map[string]string{"a": "mixtral-8x7b-instruct-v0.1", "gpt-4o": "gpt-4o-typo"}, profiles)
	require.ErrorContains(t, err, `--map gpt-4o=gpt-4o-typo: the router model does not predict profile "gpt-4o-typo" (closest by name: gpt-4o-2024-05-13, gpt-4o-mini-2024-07-18); profiles: `)
}

// ResolveKeys moves a --map or --reasoning-tokens key to the dataset's own
// spelling of the same profile name; a key for the dataset's spelling
// itself wins over another spelling, and a key with no such model stays.
func TestResolveKeysMovesAnEntryToTheDatasetsSpelling(t *testing.T) {
	d := labelsDataset()
	got, renamed := ResolveKeys(d, map[string]string{"llama-3.1-70b-instruct": "p", "gpt-y": "q"})
	assert.Equal(t, map[string]string{"Meta-Llama-3_1-70B-Instruct": "p", "gpt-y": "q"}, got)
	assert.Equal(t, map[string]string{"llama-3.1-70b-instruct": "Meta-Llama-3_1-70B-Instruct"}, renamed)

	got, renamed = ResolveKeys(d, map[string]string{"llama-3.1-70b-instruct": "p", "Meta-Llama-3_1-70B-Instruct": "r"})
	assert.Equal(t, map[string]string{"llama-3.1-70b-instruct": "p", "Meta-Llama-3_1-70B-Instruct": "r"}, got)
	assert.Empty(t, renamed)

	tokens, _ := ResolveKeys(d, map[string]float64{"meta-llama/Meta-Llama-3.1-70B-Instruct": 512})
	assert.Equal(t, map[string]float64{"Meta-Llama-3_1-70B-Instruct": 512}, tokens)
}
