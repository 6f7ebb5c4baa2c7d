package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
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

// Profiles of the toy models by dataset.Canonical.
const strongP, weakP = "strong-model", "weak.model"

// predictor returns a fake router model that predicts quality from the
// prompt's topic with the given per-topic estimates (strong, weak).
func predictor(byTopic map[string][2]float64) *routertest.Predictor {
	return &routertest.Predictor{PredictFn: func(prompt string) router.Prediction {
		for topic, q := range byTopic {
			if strings.Contains(prompt, topic) {
				return router.Prediction{strongP: {Quality: q[0], OutputTokens: 200}, weakP: {Quality: q[1], OutputTokens: 300}}
			}
		}
		panic("unknown topic in " + prompt)
	}}
}

var (
	perfect  = map[string][2]float64{"algebra": {1, 0}, "history": {1, 1}, "riddle": {0, 1}}
	inverted = map[string][2]float64{"algebra": {0, 1}, "history": {1, 1}, "riddle": {1, 0}}
	constant = map[string][2]float64{"algebra": {0.8, 0.6}, "history": {0.8, 0.6}, "riddle": {0.8, 0.6}}
)

func toyRun(t *testing.T, byTopic map[string][2]float64, opt Options) *Report {
	t.Helper()
	tb, err := BuildTable(toyDataset(400, 0.1, 3), nil, nil)
	require.NoError(t, err)
	rep, err := Run(context.Background(), tb, predictor(byTopic), opt)
	require.NoError(t, err)
	return rep
}

func TestPerfectRouterMatchesTheOracle(t *testing.T) {
	rep := toyRun(t, perfect, Options{})
	oracle := rep.Baselines[BaselineOracle]
	assert.Equal(t, "Strong-Model", rep.Strong)
	assert.Equal(t, "weak_model", rep.Weak)
	for _, m := range router.Modes {
		assert.InDelta(t, oracle.Modes[m].Quality, rep.Router.Modes[m].Quality, 1e-12, m)
	}
	// Quality mode calls the strong model only where it alone is right.
	assert.InDelta(t, 1.0, rep.Router.Modes[router.ModeQuality].Quality, 1e-12)
	require.NotNil(t, rep.Router.APGR)
	assert.InDelta(t, *oracle.APGR, *rep.Router.APGR, 1e-12)
	assert.InDelta(t, oracle.AIQ, rep.Router.AIQ, 1e-12)
	assert.Greater(t, *rep.Router.APGR, 1.0, "the weak model is uniquely right on 10% of prompts")
	assert.InDelta(t, 0.5, *rep.Baselines[BaselineRandom].APGR, 1e-12)
	assert.InDelta(t, 0.5, *rep.Baselines[BaselineRandom].CPT50, 1e-12)
	assert.InDelta(t, 0.8, *rep.Baselines[BaselineRandom].CPT80, 1e-12)
}

func TestWorseRoutersScoreWorse(t *testing.T) {
	inv := toyRun(t, inverted, Options{})
	oracle := inv.Baselines[BaselineOracle]
	assert.Less(t, inv.Router.AIQ, oracle.AIQ, "a dominated router has a smaller AIQ")
	assert.Less(t, *inv.Router.APGR, 0.5)

	flat := toyRun(t, constant, Options{})
	assert.InDelta(t, 0.5, *flat.Router.APGR, 1e-9, "a router that cannot tell prompts apart routes like random")
	// Its quality mode always picks the strong model: one single model's point.
	assert.InDelta(t, flat.Baselines["single:Strong-Model"].Modes[router.ModeQuality].Quality, flat.Router.Modes[router.ModeQuality].Quality, 1e-12)
	assert.Equal(t, 1.0, flat.Router.Modes[router.ModeQuality].Share["Strong-Model"])
}

func TestSingleModelIsOnePoint(t *testing.T) {
	rep := toyRun(t, perfect, Options{})
	for _, name := range []string{"single:Strong-Model", "single:weak_model"} {
		s := rep.Baselines[name]
		require.Len(t, s.Curve, 1, name)
		for _, m := range router.Modes {
			assert.Equal(t, s.Curve[0].Quality, s.Modes[m].Quality)
			assert.Equal(t, s.Curve[0].Cost, s.Modes[m].Cost)
		}
		assert.Nil(t, s.APGR)
		assert.Less(t, s.AIQ, rep.Baselines[BaselineOracle].AIQ)
	}
}

func TestKNNBaselineLearnsTopics(t *testing.T) {
	rep := toyRun(t, constant, Options{})
	knn := rep.Baselines[BaselineKNN]
	oracle := rep.Baselines[BaselineOracle]
	require.NotNil(t, knn.APGR)
	assert.Greater(t, *knn.APGR, 0.9**oracle.APGR, "topic words decide who is right")
	assert.Greater(t, knn.Modes[router.ModeQuality].Quality, 0.95)
}

func TestHoldoutOnlyEvaluatesTheHoldout(t *testing.T) {
	holdout := func(it *dataset.Item) bool {
		h := fnv.New32a()
		h.Write([]byte(it.ID))
		return h.Sum32()%10 == 0
	}
	rep := toyRun(t, perfect, Options{Holdout: holdout})
	assert.True(t, rep.HoldoutOnly)
	assert.Equal(t, 400, rep.Prompts+rep.NotHoldout)
	assert.Greater(t, rep.Prompts, 15)
	assert.Less(t, rep.Prompts, 70)
	for _, r := range rep.table.Rows {
		assert.True(t, holdout(r.Item))
	}
	_, err := Run(context.Background(), rep.table, predictor(perfect), Options{Holdout: func(*dataset.Item) bool { return false }})
	require.ErrorContains(t, err, "no prompt of the router model's holdout split")
}

func TestRunNamesACandidateWithoutProfile(t *testing.T) {
	tb, err := BuildTable(toyDataset(20, 0.1, 1), nil, map[string]string{"weak_model": "unknown-profile"})
	require.NoError(t, err)
	_, err = Run(context.Background(), tb, predictor(perfect), Options{})
	require.ErrorContains(t, err, `candidate "weak_model" maps to profile "unknown-profile"`)
}

func TestRunWithManyCandidatesHasNoPairMetrics(t *testing.T) {
	d := toyDataset(60, 0.1, 2)
	d.Models["mid"] = dataset.Price{Input: 2, Output: 2}
	for i := range d.Items {
		d.Items[i].Results["mid"] = dataset.Result{Score: ptr(float64(i % 2)), OutputTokens: ptr(100)}
	}
	tb, err := BuildTable(d, nil, nil)
	require.NoError(t, err)
	p := &routertest.Predictor{Fixed: router.Prediction{strongP: {Quality: .9}, weakP: {Quality: .5}, "mid": {Quality: .88}}}
	rep, err := Run(context.Background(), tb, p, Options{Bands: router.Bands{Balanced: 0.05, Cost: 0.5}})
	require.NoError(t, err)
	assert.Nil(t, rep.Router.APGR)
	assert.Empty(t, rep.Strong)
	assert.Equal(t, 1.0, rep.Router.Modes[router.ModeQuality].Share["Strong-Model"])
	assert.Equal(t, 1.0, rep.Router.Modes[router.ModeBalanced].Share["mid"], "0.88 is within 5% of 0.9 and mid is cheaper")
	assert.Equal(t, 1.0, rep.Router.Modes[router.ModeCost].Share["weak_model"])
	assert.Len(t, rep.Baselines, 3+3)
}

func TestWriteDir(t *testing.T) {
	rep := toyRun(t, perfect, Options{})
	dir := t.TempDir()
	require.NoError(t, rep.WriteDir(dir))

	var j map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &j))
	for _, who := range []map[string]any{j["router"].(map[string]any), j["baselines"].(map[string]any)["knn"].(map[string]any)} {
		modes := who["modes"].(map[string]any)
		for _, m := range []string{"balanced", "quality", "cost"} {
			o := modes[m].(map[string]any)
			assert.Contains(t, o, "quality")
			assert.Contains(t, o, "cost")
			assert.Contains(t, o["share"], "Strong-Model")
		}
		for _, k := range []string{"aiq", "apgr", "cpt50", "cpt80"} {
			assert.IsType(t, 0.0, who[k], k)
		}
		pt := who["curve"].([]any)[0].(map[string]any)
		assert.Contains(t, pt, "threshold")
		assert.Contains(t, pt, "quality")
		assert.Contains(t, pt, "cost")
	}
	assert.Contains(t, j["baselines"], "oracle")
	assert.Contains(t, j["baselines"], "random")
	assert.Contains(t, j["baselines"], "single:weak_model")

	f, err := os.Open(filepath.Join(dir, "predictions.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		var l struct {
			ID         string
			Candidates map[string]struct {
				Quality      *float64 `json:"quality"`
				OutputTokens *float64 `json:"output_tokens"`
			}
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l))
		require.NotEmpty(t, l.ID)
		require.Len(t, l.Candidates, 2)
		require.NotNil(t, l.Candidates["weak_model"].Quality)
		require.Equal(t, 300.0, *l.Candidates["weak_model"].OutputTokens)
		lines++
	}
	assert.Equal(t, rep.Prompts, lines)

	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| router | quality |")
	png, err := os.ReadFile(filepath.Join(dir, "curves.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	png, err = os.ReadFile(filepath.Join(dir, "share.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "oracle")
	assert.Contains(t, text.String(), "strong Strong-Model, weak weak_model")
}
