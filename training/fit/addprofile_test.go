package fit

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topicModel trains a model where profile 0 is good at prompts containing
// token 5 and profile 1 at the others; answers to token-5 prompts are long.
func topicModel(t *testing.T) *arch.Weights {
	t.Helper()
	return topicParams(t, 1).Weights(0)
}

func topicParams(t *testing.T, seed uint64) *Params {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var samples []Sample
	for range 400 {
		ids := []int64{int64(2 + rng.IntN(10)), int64(2 + rng.IntN(10))}
		good := 0.0
		if ids[0] == 5 || ids[1] == 5 {
			good = 1
		}
		samples = append(samples, Sample{IDs: ids, Targets: []Target{
			{Profile: 0, Score: good, LogLen: math.Log(100 + 900*good)},
			{Profile: 1, Score: 1 - good, LogLen: math.Log(100 + 900*good)},
		}})
	}
	cfg := DefaultConfig()
	cfg.Spec = arch.Spec{Vocab: 12, Buckets: 17, Dim: 8, Hidden: 16, Z: 4, Profiles: 2, MaxLen: 8}
	cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.LR, cfg.Seed = 1, 30, 16, 1e-2, seed
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	return p
}

// newProfileExamples: the new profile is good at token-5 prompts 90 % of
// the time and at others 20 %, and writes short answers: 300 labelled
// answers.
// addProfile is the three steps of adding a profile.
func addProfile(w *arch.Weights, examples []ProfileExample, opt AddOptions) (*arch.Weights, error) {
	zs, err := HeadInputs(w, examples)
	if err != nil {
		return nil, err
	}
	c, err := FitColumn(w, zs, opt)
	if err != nil {
		return nil, err
	}
	return AppendColumn(w, c), nil
}

func newProfileExamples() []ProfileExample {
	rng := rand.New(rand.NewPCG(9, 9))
	var ex []ProfileExample
	for range 300 {
		ids := []int64{int64(2 + rng.IntN(10)), int64(2 + rng.IntN(10))}
		p := 0.2
		if ids[0] == 5 || ids[1] == 5 {
			p = 0.9
		}
		score := 0.0
		if rng.Float64() < p {
			score = 1
		}
		ex = append(ex, ProfileExample{IDs: ids, Score: score, OutputTokens: 40})
	}
	return ex
}

func TestAddProfileFitsOnlyTheNewColumn(t *testing.T) {
	w := topicModel(t)
	ex := newProfileExamples()
	w2, err := addProfile(w, ex, DefaultAddOptions)
	require.NoError(t, err)
	require.NoError(t, w2.Validate())
	require.Equal(t, 3, w2.Spec.Profiles)

	for _, ids := range [][]int64{{5, 3}, {4, 3}, {7, 5}, {2, 2}} {
		q1, l1, z1 := w.Forward(ids)
		q2, l2, z2 := w2.Forward(ids)
		assert.Equal(t, z1, z2, "z is unchanged")
		assert.InDeltaSlice(t, q1, q2[:2], 1e-6, "old profiles unchanged")
		assert.InDeltaSlice(t, l1, l2[:2], 1e-3)
		assert.InDelta(t, 40, l2[2], 8, "new profile's length")
	}
	qa, _, _ := w2.Forward([]int64{5, 3})
	qb, _, _ := w2.Forward([]int64{4, 3})
	assert.InDelta(t, 0.9, qa[2], 0.12)
	assert.InDelta(t, 0.2, qb[2], 0.12)
}

func TestAddProfileWithoutLengthsUsesTheMeanProfile(t *testing.T) {
	w := topicModel(t)
	ex := []ProfileExample{{IDs: []int64{5, 3}, Score: 1}, {IDs: []int64{4, 3}, Score: 0}}
	w2, err := addProfile(w, ex, DefaultAddOptions)
	require.NoError(t, err)
	_, l, _ := w2.Forward([]int64{5, 3})
	assert.InDelta(t, math.Sqrt(float64(l[0]*l[1])), l[2], 0.05*float64(l[2]), "geometric mean of the two profiles' lengths")
}

func TestAddProfileRejectsBadExamples(t *testing.T) {
	w := topicModel(t)
	_, err := addProfile(w, nil, DefaultAddOptions)
	assert.ErrorContains(t, err, "quality scores")
	_, err = addProfile(w, []ProfileExample{{IDs: []int64{3}, Score: math.NaN(), OutputTokens: 5}}, DefaultAddOptions)
	assert.ErrorContains(t, err, "quality scores")
	_, err = addProfile(w, []ProfileExample{{IDs: []int64{99}, Score: 1}}, DefaultAddOptions)
	assert.ErrorContains(t, err, "outside the vocabulary")
	_, err = addProfile(w, []ProfileExample{{IDs: nil, Score: 1}}, DefaultAddOptions)
	assert.ErrorContains(t, err, "no tokens")
	_, err = addProfile(w, []ProfileExample{{IDs: []int64{3}, Score: 3}}, DefaultAddOptions)
	assert.ErrorContains(t, err, "outside [0,1]")
}

// A merged model reports the members' mean z (arch.Weights.ZOut); adding a
// profile must keep that output as it is.
func TestAddProfileKeepsAMergedModelsEmbeddingOutput(t *testing.T) {
	s := arch.Spec{Vocab: 12, Buckets: 17, Dim: 4, Hidden: 6, Z: 3, Profiles: 2, MaxLen: 8}
	var members []*Params
	for seed := range uint64(2) {
		p, err := NewParams(s, 1, rand.New(rand.NewPCG(seed, 1)))
		require.NoError(t, err)
		members = append(members, p)
	}
	merged, err := Merge(members)
	require.NoError(t, err)
	w := merged.Weights(0)
	require.NotNil(t, w.ZOut)
	var ex []ProfileExample
	for i := range 40 {
		ex = append(ex, ProfileExample{IDs: []int64{int64(2 + i%10)}, Score: float64(i % 2), OutputTokens: 30})
	}
	w2, err := addProfile(w, ex, DefaultAddOptions)
	require.NoError(t, err)
	_, _, z1 := w.Forward([]int64{3, 4})
	_, _, z2 := w2.Forward([]int64{3, 4})
	assert.Len(t, z2, s.Z, "one member's width")
	assert.Equal(t, z1, z2)
}

// In a merged model the heads read every member's z side by side; the new
// column must be fitted on that, not on the members' mean z that the
// embedding output reports.
func TestAddProfileToAMergedModelFitsWhatItsHeadsRead(t *testing.T) {
	merged, err := Merge([]*Params{topicParams(t, 1), topicParams(t, 2)})
	require.NoError(t, err)
	w := merged.Weights(0)
	require.NotNil(t, w.ZOut)
	w2, err := addProfile(w, newProfileExamples(), DefaultAddOptions)
	require.NoError(t, err)
	qa, _, _ := w2.Forward([]int64{5, 3})
	qb, _, _ := w2.Forward([]int64{4, 3})
	assert.InDelta(t, 0.9, qa[2], 0.12)
	assert.InDelta(t, 0.2, qb[2], 0.12)
	q1, _, _ := w.Forward([]int64{5, 3})
	assert.InDeltaSlice(t, q1, qa[:2], 1e-6, "old profiles unchanged")
}

// With few labels the new column leans on the average one; Shift moves
// that average onto the examples' scale.
func TestAddProfileShiftMovesThePriorOntoTheDatasScale(t *testing.T) {
	w := topicModel(t)
	ex := []ProfileExample{{IDs: []int64{5, 3}, Score: 1}, {IDs: []int64{4, 3}, Score: 0}, {IDs: []int64{7, 2}, Score: 1}}
	bias := func(shift float64) float64 {
		opt := DefaultAddOptions
		opt.Shift = shift
		w2, err := addProfile(w, ex, opt)
		require.NoError(t, err)
		return float64(w2.QB[2])
	}
	moved := bias(3) - bias(0)
	assert.Greater(t, moved, 0.5, "the prior's bias is moved up")
	assert.LessOrEqual(t, moved, 3.0+1e-6, "never by more than the shift")
}

func TestFitColumnPredictsWhatTheAddedProfileDoes(t *testing.T) {
	w := topicModel(t)
	ex := newProfileExamples()
	w2, err := addProfile(w, ex, DefaultAddOptions)
	require.NoError(t, err)
	zs := make([]ColumnExample, len(ex))
	for i, e := range ex {
		zs[i] = ColumnExample{Z: w.HeadInput(e.IDs), Score: e.Score, OutputTokens: e.OutputTokens}
	}
	c, err := FitColumn(w, zs, DefaultAddOptions)
	require.NoError(t, err)
	for _, ids := range [][]int64{{5, 3}, {4, 3}, {7, 5}} {
		q, l, _ := w2.Forward(ids)
		cq, cl := c.Predict(w.HeadInput(ids))
		assert.InDelta(t, q[2], cq, 1e-5)
		assert.InDelta(t, l[2], cl, 1e-3*float64(l[2]))
	}

	_, err = FitColumn(w, []ColumnExample{{Z: []float32{1}, Score: 1}}, DefaultAddOptions)
	assert.ErrorContains(t, err, "head input of 1 values")
}

// Newton's method alone overshoots from a start far from the answer (a
// prior column that puts these prompts at p≈0 when the model's answers
// are mostly right) and can run away to p=1 or 0 on every prompt; the
// fit must still land on the labels' level.
func TestFitColumnConvergesFromAFarStart(t *testing.T) {
	w := topicModel(t)
	rng := rand.New(rand.NewPCG(3, 3))
	var zs []ColumnExample
	for i := range 800 {
		ids := []int64{int64(2 + rng.IntN(10)), int64(2 + rng.IntN(10))}
		zs = append(zs, ColumnExample{Z: w.HeadInput(ids), Score: float64(i%5) / 5}) // mean 0.4, continuous
	}
	for _, shift := range []float64{-6, 6} {
		c, err := FitColumn(w, zs, AddOptions{Prior: 1, Shift: shift})
		require.NoError(t, err)
		mean := 0.0
		for _, e := range zs {
			q, _ := c.Predict(e.Z)
			mean += q / float64(len(zs))
		}
		assert.InDelta(t, 0.4, mean, 0.05, "shift %v", shift)
	}
}

// From farther still, the fit lands on the minimum of its objective: the
// gradient of BCE plus the ridge is zero there.
func TestFitLogisticReachesTheMinimumFromAFarStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var xs [][]float64
	var ys []float64
	for i := range 500 {
		xs = append(xs, []float64{rng.NormFloat64(), rng.NormFloat64(), 1})
		ys = append(ys, float64(i%5)/5)
	}
	for _, start := range []float64{-15, 15} {
		theta0 := []float64{start / 3, -start / 3, start}
		theta, err := fitLogistic(xs, ys, theta0, 1)
		require.NoError(t, err)
		lambda := float64(len(xs)) / 100
		for i := range theta {
			g := lambda * (theta[i] - theta0[i])
			for n, x := range xs {
				g += (sigmoid(dot(x, theta)) - ys[n]) * x[i]
			}
			assert.InDelta(t, 0, g, 1e-6, "start %v, coordinate %d", start, i)
		}
	}
}

func TestProfileColumnPredictsWhatTheProfileDoes(t *testing.T) {
	w := topicModel(t)
	for _, ids := range [][]int64{{5, 3}, {4, 3}} {
		q, l, _ := w.Forward(ids)
		for m := range w.Spec.Profiles {
			cq, cl := ProfileColumn(w, m).Predict(w.HeadInput(ids))
			assert.InDelta(t, q[m], cq, 1e-5)
			assert.InDelta(t, l[m], cl, 1e-3*float64(l[m]))
		}
	}
}
