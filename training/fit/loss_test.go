package fit

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRankingTermIgnoresWhatAllProfilesShare(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	p, err := NewParams(tinySpec, 2, rng)
	require.NoError(t, err)
	batch := tinyBatch(rng, 20)
	rankOnly := Loss{PairWeight: 1}
	withBCE := Loss{PairWeight: 1, LengthWeight: 0.1}
	// rankOnly still has the BCE; isolate the ranking term as a difference.
	rank := func() float64 { return p.BatchLoss(batch, rankOnly) - p.BatchLoss(batch, Loss{}) }
	before, bceBefore := rank(), p.BatchLoss(batch, withBCE)
	require.Greater(t, before, 0.0)
	p.Off[0] += 2 // a dataset offset moves every profile of a prompt alike
	assert.InDelta(t, before, rank(), 1e-12, "the ranking term depends only on differences between profiles")
	assert.NotEqual(t, bceBefore, p.BatchLoss(batch, withBCE), "the BCE does see the offset")
}

func TestRankingTermSkipsTiesAndSingleLabels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	p, err := NewParams(tinySpec, 1, rng)
	require.NoError(t, err)
	nan := math.NaN()
	batch := []Sample{
		{IDs: []int64{3, 4}, Targets: []Target{{Profile: 0, Score: 1, LogLen: nan}, {Profile: 1, Score: 1, LogLen: nan}}},
		{IDs: []int64{5}, Targets: []Target{{Profile: 2, Score: 0, LogLen: nan}, {Profile: 1, Score: nan, LogLen: 3}}},
	}
	assert.Equal(t, p.BatchLoss(batch, Loss{}), p.BatchLoss(batch, Loss{PairWeight: 5}), "no pair with two different scores: no ranking loss")
}

func TestRankingLossLearnsWhichProfileIsBetterOnAPrompt(t *testing.T) {
	// Every prompt is hard or easy for both profiles alike (that is what the
	// BCE mostly sees); only the token decides which of the two is better.
	rng := rand.New(rand.NewPCG(5, 6))
	var samples []Sample
	for range 400 {
		ids := []int64{int64(2 + rng.IntN(10)), int64(2 + rng.IntN(10))}
		hard := rng.IntN(2) == 0
		a, b := 0.9, 0.6
		if ids[0] == 5 {
			a, b = b, a
		}
		if hard {
			a, b = a-0.5, b-0.5
		}
		samples = append(samples, Sample{IDs: ids, Task: -1, Targets: []Target{
			{Profile: 0, Score: a, LogLen: math.NaN()}, {Profile: 1, Score: b, LogLen: math.NaN()}}})
	}
	cfg := DefaultConfig()
	cfg.Spec = tinySpec
	cfg.Spec.Profiles = 2
	cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.LR = 1, 20, 16, 1e-2
	cfg.Loss.PairWeight = 1
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	q, _, _ := p.Weights(0).Forward([]int64{5, 3})
	assert.Greater(t, q[1], q[0])
	q, _, _ = p.Weights(0).Forward([]int64{4, 3})
	assert.Greater(t, q[0], q[1])
}

func TestTaskHeadLearnsTheTaskAndStaysOutOfTheExport(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var samples []Sample
	for range 300 {
		task := rng.IntN(3)
		ids := []int64{int64(2 + task), int64(10 + rng.IntN(8))}
		samples = append(samples, Sample{IDs: ids, Task: task, Targets: []Target{{Profile: 0, Score: 0.5, LogLen: math.NaN()}}})
	}
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Tasks, cfg.Epochs, cfg.Batch, cfg.LR = tinySpec, 1, 3, 20, 16, 1e-2
	cfg.Loss.TaskWeight = 1
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	require.Len(t, p.TB, 3)
	for task := range 3 {
		_, _, z := p.Predict([]int64{int64(2 + task), 12}, 0)
		best, bv := -1, math.Inf(-1)
		for c := range 3 {
			v := p.TB[c]
			for k, zk := range z {
				v += zk * p.TW[k*3+c]
			}
			if v > bv {
				best, bv = c, v
			}
		}
		assert.Equal(t, task, best)
	}
	require.NoError(t, p.Weights(0).Validate(), "the export has no task head")

	bad := cfg
	_, err = Train(context.Background(), bad, []Sample{{IDs: []int64{3}, Task: 3}})
	assert.ErrorContains(t, err, "task 3 of 3")
}

func TestEmbInitScalesTheStartingTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	samples := tinyBatch(rng, 10)
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.EMA = tinySpec, 2, 1, 8, 0
	var first [2][]float64
	for i, scale := range []float64{1, 0.1} {
		cfg.EmbInit = scale
		cfg.LR = 1e-12 // keep the weights at their start
		p, err := Train(context.Background(), cfg, samples)
		require.NoError(t, err)
		first[i] = p.Emb[:5]
	}
	for j := range first[0] {
		assert.InDelta(t, first[0][j]*0.1, first[1][j], 1e-9)
	}
}
