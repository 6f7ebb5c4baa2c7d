package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// calibrationRun evaluates a router model that predicts "dear" at a
// constant 0.9 quality while its true scores average 0.5. Prompt "p4" has
// no label for "cheap": it is left out, and were it counted the router's
// 0.0 and dear's true 1 there would move both means. Dear's true answer
// length is unknown on "p2", where the router predicts 1,000 tokens.
func calibrationRun(t *testing.T) (*Table, *Report) {
	t.Helper()
	d := &dataset.Dataset{Name: "cal", Models: map[string]dataset.Price{"dear": {Input: 10, Output: 30}, "cheap": {Input: 1, Output: 1}}}
	add := func(id string, dear, cheap *float64, dearOut *float64) {
		d.Items = append(d.Items, dataset.Item{ID: id, Prompt: id, InputTokens: 10, Results: map[string]dataset.Result{
			"dear": {Score: dear, OutputTokens: dearOut}, "cheap": {Score: cheap},
		}})
	}
	add("p0", ptr(1), ptr(0), ptr(100))
	add("p1", ptr(0), ptr(1), ptr(300))
	add("p2", ptr(1), ptr(1), nil)
	add("p3", ptr(0), ptr(0), ptr(200))
	add("p4", ptr(1), nil, ptr(5000))
	tb, err := BuildTable(d, nil, map[string]string{"dear": "pd", "cheap": "pc"})
	require.NoError(t, err)
	p := &routertest.Predictor{PredictFn: func(prompt string) router.Prediction {
		out := map[string]float64{"p2": 1000}[prompt]
		if out == 0 {
			out = 250
		}
		dear := 0.9
		if prompt == "p4" {
			dear = 0
		}
		return router.Prediction{"pd": {Quality: dear, OutputTokens: out}, "pc": {Quality: 0.3, OutputTokens: 50}}
	}}
	rep, err := Run(context.Background(), tb, p, Options{})
	require.NoError(t, err)
	return tb, rep
}

func candidate(t *testing.T, rep *Report, name string) Candidate {
	t.Helper()
	for _, c := range rep.Candidates {
		if c.Name == name {
			require.NotNil(t, c.Calibration, name)
			return c
		}
	}
	require.Failf(t, "no candidate", "%s in %v", name, rep.Candidates)
	return Candidate{}
}

func TestCalibrationComparesMeanPredictedAndTrueQuality(t *testing.T) {
	tb, rep := calibrationRun(t)
	require.Equal(t, 4, rep.Prompts, "p4 lacks a label")

	dear := candidate(t, rep, "dear")
	assert.InDelta(t, 0.9, dear.PredictedQuality, 1e-12)
	assert.InDelta(t, 0.5, dear.TrueQuality, 1e-12)
	assert.InDelta(t, 0.4, dear.PredictedMinusTrueQuality, 1e-12)
	assert.Equal(t, 4, dear.LabelledPrompts)
	// Lengths only where the dataset records them: p0, p1, p3.
	assert.Equal(t, 3, dear.OutputTokensPrompts)
	require.NotNil(t, dear.PredictedOutputTokens)
	assert.InDelta(t, 250, *dear.PredictedOutputTokens, 1e-9)
	assert.InDelta(t, 200, *dear.TrueOutputTokens, 1e-9)

	cheap := candidate(t, rep, "cheap")
	assert.InDelta(t, 0.3, cheap.PredictedQuality, 1e-12)
	assert.InDelta(t, 0.5, cheap.TrueQuality, 1e-12)
	assert.InDelta(t, -0.2, cheap.PredictedMinusTrueQuality, 1e-12)
	assert.Nil(t, cheap.PredictedOutputTokens, "the dataset records no answer length for cheap")
	assert.Zero(t, cheap.OutputTokensPrompts)

	for _, c := range tb.Candidates {
		assert.Nil(t, c.Calibration, "the table stays as built")
	}
}

func TestCalibrationRoundTripsThroughReportJSON(t *testing.T) {
	_, rep := calibrationRun(t)
	b, err := json.Marshal(rep)
	require.NoError(t, err)

	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Candidates, back.Candidates)

	var raw struct {
		Candidates []map[string]any `json:"candidates"`
	}
	require.NoError(t, json.Unmarshal(b, &raw))
	require.Len(t, raw.Candidates, 2)
	for _, c := range raw.Candidates {
		for _, k := range []string{"name", "profile", "predicted_quality", "true_quality", "predicted_minus_true_quality", "labelled_prompts"} {
			assert.Contains(t, c, k, c["name"])
		}
		_, hasLengths := c["predicted_output_tokens"]
		assert.Equal(t, c["name"] == "dear", hasLengths, c["name"])
	}
}

func TestCalibrationIsPrinted(t *testing.T) {
	_, rep := calibrationRun(t)
	dir := t.TempDir()
	require.NoError(t, rep.WriteDir(dir))
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "- dear (profile pd, $10 / $30 per M input / output tokens; predicted quality 0.900, true 0.500 (+0.400) on 4 prompts; output tokens predicted 250, true 200 on 3 prompts)\n")
	assert.Contains(t, string(md), "- cheap (profile pc, $1 / $1 per M input / output tokens; predicted quality 0.300, true 0.500 (-0.200) on 4 prompts)\n")

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	out := text.String()
	at := strings.Index(out, "predicted vs true mean quality:\n")
	require.GreaterOrEqual(t, at, 0, out)
	block := out[at:]
	assert.Regexp(t, `\n  dear +profile pd +predicted 0\.900 +true 0\.500 +\+0\.400 +on 4 prompts +output tokens predicted 250, true 200 on 3 prompts\n`, block)
	assert.Regexp(t, `\n  cheap +profile pc +predicted 0\.300 +true 0\.500 +-0\.200 +on 4 prompts\n`, block)
	first, second := rep.Candidates[0].Name, rep.Candidates[1].Name
	assert.Less(t, strings.Index(block, "\n  "+first+" "), strings.Index(block, "\n  "+second+" "), "candidates in the report's order")

	// cheap has no answer length anywhere: its cost is input tokens only,
	// and the report says so.
	lengthsNote := "no answer lengths in the dataset for cheap: their cost counts input tokens only"
	assert.Contains(t, out, lengthsNote)
	assert.Contains(t, string(md), lengthsNote)
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var js struct {
		NoAnswerLengths []string `json:"no_answer_lengths"`
	}
	require.NoError(t, json.Unmarshal(raw, &js))
	assert.Equal(t, []string{"cheap"}, js.NoAnswerLengths)
}

func TestReportWithoutCalibrationPrintsNoBlock(t *testing.T) {
	_, rep := calibrationRun(t)
	for i := range rep.Candidates {
		rep.Candidates[i].Calibration = nil
	}
	var text, md bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	require.NoError(t, rep.WriteMarkdown(&md))
	assert.NotContains(t, text.String(), "predicted vs true")
	assert.Contains(t, md.String(), "- dear (profile pd, $10 / $30 per M input / output tokens)\n")
}
