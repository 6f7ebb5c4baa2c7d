package fit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zeroSettingsConfig is a short run on tinyBatch whose result is the last
// step's weights (no moving average).
func zeroSettingsConfig() Config {
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.EMA = tinySpec, 2, 3, 8, 0
	return cfg
}

// startParams are the draws Train starts from for cfg's seed, before any
// scaling.
func startParams(t *testing.T, cfg Config) *Params {
	t.Helper()
	p, err := NewParams(cfg.Spec, cfg.Datasets, rand.New(rand.NewPCG(cfg.Seed, 0x726f75746572)))
	require.NoError(t, err)
	return p
}

// An embedding step-size scale of 0 freezes the table: it comes back as
// drawn while the layers above it learn. It used to read as a scale of 1.
func TestEmbLRScaleZeroKeepsTheTableAtItsStart(t *testing.T) {
	samples := tinyBatch(rand.New(rand.NewPCG(3, 4)), 40)
	cfg := zeroSettingsConfig()
	cfg.EmbLRScale = 0
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	start := startParams(t, cfg)
	assert.Equal(t, start.Emb, p.Emb, "the frozen table is the one drawn")
	assert.NotEqual(t, start.W1, p.W1, "the first layer still learns")

	cfg.EmbLRScale = 1
	moved, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	assert.NotEqual(t, start.Emb, moved.Emb, "at scale 1 the table learns")
}

// An initial embedding scale of 0 starts from a zero table (it used to
// read as a scale of 1). It is a legal start: every row begins alike, but
// the first layer's gradient reaches each row through the prompts its
// token is in, so the rows part.
func TestEmbInitZeroStartsFromAZeroTableThatLearns(t *testing.T) {
	samples := tinyBatch(rand.New(rand.NewPCG(3, 4)), 40)
	cfg := zeroSettingsConfig()
	cfg.EmbInit, cfg.EmbLRScale = 0, 0
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	for i, v := range p.Emb {
		require.Zero(t, v, "Emb[%d]: the start is a zero table", i)
	}

	cfg.EmbLRScale = 1
	p, err = Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	used := map[int64]bool{}
	for _, s := range samples {
		for _, id := range s.IDs {
			used[id] = true
		}
	}
	rows := map[string]bool{}
	d := int64(cfg.Spec.Dim)
	for id := range used {
		rows[fmt.Sprint(p.Emb[id*d:(id+1)*d])] = true
	}
	assert.Len(t, rows, len(used), "each used token's row has learned a vector of its own")
}

// A first-layer scale of 0 is refused: a zero layer with its zero biases
// puts every hidden unit at relu's kink, where no gradient passes, so
// training would never move it. It used to read as a scale of 1.
func TestTrainRefusesAZeroFirstLayerScale(t *testing.T) {
	samples := tinyBatch(rand.New(rand.NewPCG(3, 4)), 10)
	for _, bad := range []func(*Config){
		func(c *Config) { c.W1Init = 0 },
		func(c *Config) { c.EmbInit = -1 },
		func(c *Config) { c.EmbLRScale = -1 },
		func(c *Config) { c.WeightDecay = -0.1 },
	} {
		cfg := zeroSettingsConfig()
		bad(&cfg)
		_, err := Train(context.Background(), cfg, samples)
		assert.ErrorContains(t, err, "W1Init must be positive")
	}
}
