package eval

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// predictions.jsonl is there "so anyone can recompute the metrics" (issue
// 2): each mode's mean true quality and share of calls in report.json
// follow from its lines alone, the model each mode chose and the truth.
func TestPredictionsRecomputeTheModesOfReportJSON(t *testing.T) {
	mixed := map[string][2]float64{"algebra": {0.9, 0.3}, "history": {0.9, 0.8}, "riddle": {0.4, 0.8}}
	rep := toyRun(t, mixed, Options{Bands: router.Bands{Balanced: 0.15, Cost: 0.7}})
	dir := t.TempDir()
	require.NoError(t, rep.WriteDir(dir))

	var report struct {
		Router struct {
			Modes map[string]struct {
				Quality float64            `json:"quality"`
				Share   map[string]float64 `json:"share"`
			} `json:"modes"`
		} `json:"router"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &report))

	f, err := os.Open(filepath.Join(dir, "predictions.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	quality := map[string]float64{}
	calls := map[string]map[string]float64{}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			Chosen map[string]string `json:"chosen"`
			Truth  map[string]struct {
				Score *float64 `json:"score"`
			} `json:"truth"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l))
		for _, m := range router.Modes {
			chosen := l.Chosen[string(m)]
			require.Contains(t, l.Truth, chosen, "mode %s chose %q, which the line has no truth for", m, chosen)
			require.NotNil(t, l.Truth[chosen].Score)
			quality[string(m)] += *l.Truth[chosen].Score
			if calls[string(m)] == nil {
				calls[string(m)] = map[string]float64{}
			}
			calls[string(m)][chosen]++
		}
		n++
	}
	require.NoError(t, sc.Err())
	require.Equal(t, rep.Prompts, n)

	for _, m := range router.Modes {
		want := report.Router.Modes[string(m)]
		assert.InDelta(t, want.Quality, quality[string(m)]/float64(n), 1e-12, "mode %s quality", m)
		for name, share := range want.Share {
			assert.InDelta(t, share, calls[string(m)][name]/float64(n), 1e-12, "mode %s share of %s", m, name)
		}
	}
	// The modes differ here, so a line that wrote one mode's choice for all
	// would not pass.
	assert.NotEqual(t, report.Router.Modes["quality"].Share, report.Router.Modes["balanced"].Share)
	assert.NotEqual(t, report.Router.Modes["balanced"].Share, report.Router.Modes["cost"].Share)
}
