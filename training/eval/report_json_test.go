package eval

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// readReportJSON writes rep's folder and returns report.json's router and
// baselines as generic JSON objects, as a reader of the file sees them.
func readReportJSON(t *testing.T, rep *Report) map[string]map[string]any {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, rep.WriteDir(dir))
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var j struct {
		Router    map[string]any            `json:"router"`
		Baselines map[string]map[string]any `json:"baselines"`
	}
	require.NoError(t, json.Unmarshal(b, &j))
	out := map[string]map[string]any{"router": j.Router}
	for k, v := range j.Baselines {
		out[k] = v
	}
	return out
}

// A two-model report names apgr, cpt50 and cpt80 for the router and every
// baseline; where a number is undefined (a single model is one point) the
// key holds null, as the README says, instead of being left out.
func TestReportJSONHasThePairMetricsOfEveryRowOfATwoModelReport(t *testing.T) {
	rows := readReportJSON(t, toyRun(t, perfect, Options{}))
	for _, name := range []string{"router", "random", "oracle", "knn", "single:Strong-Model", "single:weak_model"} {
		row, ok := rows[name]
		require.True(t, ok, "report.json has no %s", name)
		for _, k := range []string{"apgr", "cpt50", "cpt80"} {
			require.Contains(t, row, k, "%s.%s", name, k)
		}
	}
	assert.IsType(t, 0.0, rows["router"]["apgr"])
	assert.Nil(t, rows["single:weak_model"]["apgr"], "a single model has no APGR")
}

// With no gap between the two models APGR and CPT are undefined: every
// row's keys are there, holding null.
func TestReportJSONWritesPairMetricsWithoutAGapAsNull(t *testing.T) {
	tb := toyTable([]float64{1, 0, 1, 0}, []float64{0, 1, 0, 1})
	p := &routertest.Predictor{PredictFn: func(string) router.Prediction {
		return router.Prediction{"s": {Quality: 0.8, OutputTokens: 10}, "w": {Quality: 0.6, OutputTokens: 10}}
	}}
	rep, err := Run(context.Background(), tb, p, Options{})
	require.NoError(t, err)
	for name, row := range readReportJSON(t, rep) {
		for _, k := range []string{"apgr", "cpt50", "cpt80"} {
			v, ok := row[k]
			assert.True(t, ok, "%s has no %s key", name, k)
			assert.Nil(t, v, "%s.%s", name, k)
		}
	}
}
