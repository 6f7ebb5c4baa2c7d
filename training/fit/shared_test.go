package fit

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFoldingTheSharedColumnKeepsPredictions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p, err := NewParams(tinySpec, 1, rng)
	require.NoError(t, err)
	p.addSharedColumn()
	for k := range p.QS {
		p.QS[k] = rng.NormFloat64()
	}
	ids := []int64{3, 4, 5, 6}
	before, _, _ := p.Predict(ids, 0)
	p.foldShared()
	after, _, _ := p.Predict(ids, 0)
	assert.Nil(t, p.QS)
	assert.InDeltaSlice(t, before, after, 1e-12)
}

func TestTrainingWithProfileDecayExportsPlainColumns(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch = tinySpec, 2, 2, 8
	cfg.ProfileDecay = 1
	samples := tinyBatch(rand.New(rand.NewPCG(3, 4)), 50)
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	assert.Empty(t, p.QS, "the shared column is folded into the profiles' columns")
	cfg.ProfileDecay = 0
	plain, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	assert.NotEqual(t, plain.QW, p.QW)
	// The exported model predicts what the trained parameters predict.
	l, _, _ := p.Predict(samples[0].IDs, 0)
	q, _, _ := p.Weights(0).Forward(samples[0].IDs)
	for m := range q {
		assert.InDelta(t, sigmoid(l[m]), float64(q[m]), 1e-5)
	}
}

// AfterEpoch hands out parameters that still carry the shared column: what
// they export and what they merge into must predict what they predict.
func TestParamsWithTheSharedColumnExportAndMergeTheirPredictions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch = tinySpec, 2, 2, 8
	cfg.ProfileDecay = 1
	var epoch []*Params
	cfg.AfterEpoch = func(_ int, p *Params) { epoch = append(epoch, p.Clone()) }
	samples := tinyBatch(rand.New(rand.NewPCG(3, 4)), 50)
	_, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	require.Len(t, epoch, 2)
	require.NotEmpty(t, epoch[0].QS, "mid-training parameters keep the shared column")
	merged, err := Merge(epoch)
	require.NoError(t, err)
	for _, s := range samples[:5] {
		want, _, _ := epoch[0].Predict(s.IDs, 0)
		q, _, _ := epoch[0].Weights(0).Forward(s.IDs)
		for m := range q {
			assert.InDelta(t, sigmoid(want[m]), float64(q[m]), 1e-5, "Weights, profile %d", m)
		}
		other, _, _ := epoch[1].Predict(s.IDs, 0)
		got, _, _ := merged.Predict(s.IDs, 0)
		for m := range got {
			assert.InDelta(t, (want[m]+other[m])/2, got[m], 1e-9, "Merge, profile %d", m)
		}
	}
}
