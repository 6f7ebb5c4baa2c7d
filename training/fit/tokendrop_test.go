package fit

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDropTokensKeepsOrderAndDrawsAfreshEachEpoch(t *testing.T) {
	ids := make([]int64, 200)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	s := Sample{IDs: ids}
	cfg := Config{TokenDrop: 0.25, Seed: 3}
	a, b := dropTokens(s, cfg, 0, 7), dropTokens(s, cfg, 1, 7)
	assert.InDelta(t, 150, len(a.IDs), 25, "about three quarters stay")
	assert.IsIncreasing(t, a.IDs, "the tokens left keep their order")
	assert.NotEqual(t, a.IDs, b.IDs, "another epoch drops other tokens")
	assert.Equal(t, a.IDs, dropTokens(s, cfg, 0, 7).IDs, "the same draw for the same epoch and sample")
	assert.Len(t, s.IDs, 200, "the sample itself is untouched")

	one := dropTokens(Sample{IDs: []int64{5, 6}}, Config{TokenDrop: 0.999, Seed: 1}, 0, 0)
	assert.Len(t, one.IDs, 1, "at least one token stays")
	assert.Equal(t, ids, dropTokens(s, Config{}, 0, 7).IDs, "off by default")
}

func TestTrainingWithTokenDropIsDeterministicAndDiffers(t *testing.T) {
	run := func(workers int, drop float64) *Params {
		cfg := DefaultConfig()
		cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.Workers, cfg.TokenDrop = tinySpec, 2, 2, 8, workers, drop
		p, err := Train(context.Background(), cfg, tinyBatch(rand.New(rand.NewPCG(3, 4)), 50))
		require.NoError(t, err)
		return p
	}
	a, b, plain := run(1, 0.2), run(2, 0.2), run(2, 0)
	for i, ta := range a.tensors() {
		assert.Equal(t, ta.data, b.tensors()[i].data, ta.name)
	}
	assert.NotEqual(t, a.W1, plain.W1)
}
