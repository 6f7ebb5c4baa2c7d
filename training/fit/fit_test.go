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

var tinySpec = arch.Spec{Vocab: 20, Buckets: 13, Dim: 5, Hidden: 7, Z: 4, Profiles: 3, MaxLen: 16}

// tinyBatch is a batch with soft and hard labels, missing labels and
// lengths on two datasets.
func tinyBatch(rng *rand.Rand, n int) []Sample {
	var out []Sample
	for i := range n {
		ids := make([]int64, 1+rng.IntN(8))
		for t := range ids {
			ids[t] = int64(2 + rng.IntN(tinySpec.Vocab-2))
		}
		s := Sample{IDs: ids, Dataset: i % 2, Task: i%4 - 1}
		for m := range tinySpec.Profiles {
			t := Target{Profile: m, Score: math.NaN(), LogLen: math.NaN()}
			switch rng.IntN(4) {
			case 0:
				t.Score = float64(rng.IntN(2))
			case 1:
				t.Score = rng.Float64()
				t.LogLen = 3 + rng.NormFloat64()
			case 2:
				t.LogLen = 5 + rng.NormFloat64()
			default:
				continue
			}
			s.Targets = append(s.Targets, t)
		}
		out = append(out, s)
	}
	return out
}

// maxSpec is tinySpec with the max block (x = [mean, max, log(1+len)]).
var maxSpec = func() arch.Spec { s := tinySpec; s.Pool = arch.PoolMeanMax; return s }()

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	for _, spec := range []arch.Spec{tinySpec, maxSpec} {
		t.Run("pool="+spec.Pool, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			p, err := NewParams(spec, 2, rng)
			require.NoError(t, err)
			for i := range p.QB {
				p.QB[i] = rng.NormFloat64()
				p.LB[i] = 4 + rng.NormFloat64()
			}
			p.Off[1] = 0.3
			p.addTaskHead(3, rng)
			p.addSharedColumn()
			for k := range p.QS {
				p.QS[k] = rng.NormFloat64() * 0.3
			}
			batch := tinyBatch(rng, 12)
			requireGradientMatches(t, p, batch, Loss{LengthWeight: 0.3, PairWeight: 0.7, TaskWeight: 0.5})
		})
	}
}

// requireGradientMatches compares Gradient with central differences of
// BatchLoss, tensor by tensor.
func requireGradientMatches(t *testing.T, p *Params, batch []Sample, loss Loss) {
	t.Helper()
	g := p.Gradient(batch, loss)
	const h = 1e-6
	for ti, tn := range p.tensors() {
		an := g.tensors()[ti].data
		num := make([]float64, len(tn.data))
		for j := range tn.data {
			old := tn.data[j]
			tn.data[j] = old + h
			up := p.BatchLoss(batch, loss)
			tn.data[j] = old - h
			down := p.BatchLoss(batch, loss)
			tn.data[j] = old
			num[j] = (up - down) / (2 * h)
		}
		diff, norm := 0.0, 0.0
		for j := range num {
			diff += (num[j] - an[j]) * (num[j] - an[j])
			norm += num[j]*num[j] + an[j]*an[j]
		}
		require.Greater(t, norm, 0.0, "%s has no gradient at all", tn.name)
		rel := math.Sqrt(diff) / math.Sqrt(norm)
		assert.Less(t, rel, 1e-3, "tensor %s: relative error %g", tn.name, rel)
	}
}

// The max block sends value j's gradient to the one row that won it, the
// first of the prompt's rows (token, pair, token, ...) on a tie.
func TestMaxPoolGradientGoesToTheWinningRow(t *testing.T) {
	p, err := NewParams(maxSpec, 1, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	D, H := maxSpec.Dim, maxSpec.Hidden
	clear(p.W1[:D*H]) // no gradient through the mean block
	for j := range D {
		p.Emb[3*D+j], p.Emb[4*D+j], p.Emb[5*D+j] = 2, 2, 1 // 3 and 4 tie
	}
	pair34, pair45 := arch.PairID(maxSpec, 3, 4), arch.PairID(maxSpec, 4, 5)
	for j := range D {
		p.Emb[int(pair34)*D+j], p.Emb[int(pair45)*D+j] = -1, -1
	}
	p.Emb[5*D+2] = 7 // token 5 wins value 2 alone
	batch := []Sample{{IDs: []int64{3, 4, 5}, Task: -1, Targets: []Target{{Profile: 0, Score: 1, LogLen: math.NaN()}}}}
	g := p.Gradient(batch, Loss{})
	row := func(r int64) []float64 { return g.Emb[int(r)*D : int(r+1)*D] }
	for j := range D {
		if j == 2 {
			assert.Zero(t, row(3)[j])
			assert.NotZero(t, row(5)[j], "the single winner of value 2")
		} else {
			assert.NotZero(t, row(3)[j], "the first of the tied rows wins value %d", j)
			assert.Zero(t, row(5)[j])
		}
		assert.Zero(t, row(4)[j], "the later tied row gets nothing")
		assert.Zero(t, row(pair34)[j])
		assert.Zero(t, row(pair45)[j])
	}
}

func TestPredictMatchesArchForward(t *testing.T) {
	for _, spec := range []arch.Spec{tinySpec, maxSpec} {
		t.Run("pool="+spec.Pool, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			p, err := NewParams(spec, 2, rng)
			require.NoError(t, err)
			p.Off = []float64{0.5, -0.5}
			for _, ids := range [][]int64{{3, 4, 5, 19, 2}, {7}, {}} {
				logits, logLens, z := p.Predict(ids, 0.25)
				q, l, z32 := p.Weights(0.25).Forward(ids)
				for m := range q {
					assert.InDelta(t, sigmoid(logits[m]), float64(q[m]), 1e-5)
					assert.InDelta(t, math.Exp(logLens[m]), float64(l[m]), 1e-3*float64(l[m]))
				}
				for k := range z {
					assert.InDelta(t, z[k], float64(z32[k]), 1e-5)
				}
			}
		})
	}
}

func TestNewParamsRejectsAnUnknownPool(t *testing.T) {
	s := tinySpec
	s.Pool = "max"
	_, err := NewParams(s, 1, rand.New(rand.NewPCG(1, 1)))
	assert.ErrorContains(t, err, `unknown pool "max"`)
}

func trainTiny(t *testing.T, workers int, seed uint64) *Params {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.Workers, cfg.Seed = tinySpec, 2, 3, 8, workers, seed
	p, err := Train(context.Background(), cfg, tinyBatch(rng, 50))
	require.NoError(t, err)
	return p
}

func TestTrainingIsDeterministicForASeedWithAnyWorkerCount(t *testing.T) {
	a, b, c := trainTiny(t, 1, 1), trainTiny(t, 2, 1), trainTiny(t, 2, 1)
	for i, ta := range a.tensors() {
		assert.Equal(t, ta.data, b.tensors()[i].data, ta.name)
		assert.Equal(t, ta.data, c.tensors()[i].data, ta.name)
	}
	d := trainTiny(t, 2, 2)
	assert.NotEqual(t, a.W1, d.W1, "another seed gives other weights")
}

func TestTrainingLowersTheLoss(t *testing.T) {
	// Profile 0 answers prompts containing token 5 well, profile 1 the
	// others; the model must learn it from the text.
	rng := rand.New(rand.NewPCG(5, 6))
	var samples []Sample
	for range 400 {
		ids := []int64{int64(2 + rng.IntN(10)), int64(2 + rng.IntN(10))}
		good := 0.0
		if ids[0] == 5 || ids[1] == 5 {
			good = 1
		}
		samples = append(samples, Sample{IDs: ids, Targets: []Target{
			{Profile: 0, Score: good, LogLen: math.NaN()},
			{Profile: 1, Score: 1 - good, LogLen: math.Log(100 + 900*good)},
		}})
	}
	cfg := DefaultConfig()
	cfg.Spec = arch.Spec{Vocab: 12, Buckets: 17, Dim: 8, Hidden: 16, Z: 4, Profiles: 2, MaxLen: 8}
	cfg.Datasets, cfg.Epochs, cfg.Batch, cfg.LR = 1, 30, 16, 1e-2
	p, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	q, l, _ := p.Weights(0).Forward([]int64{5, 3})
	assert.Greater(t, q[0], float32(0.9))
	assert.Less(t, q[1], float32(0.1))
	assert.InDelta(t, 1000, l[1], 300)
	q, _, _ = p.Weights(0).Forward([]int64{4, 3})
	assert.Less(t, q[0], float32(0.1))
	assert.Greater(t, q[1], float32(0.9))
}

func TestTrainRejectsBadInput(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets = tinySpec, 1
	ctx := context.Background()
	_, err := Train(ctx, cfg, nil)
	assert.ErrorContains(t, err, "no training samples")
	_, err = Train(ctx, cfg, []Sample{{IDs: []int64{99}}})
	assert.ErrorContains(t, err, "outside the vocabulary")
	_, err = Train(ctx, cfg, []Sample{{IDs: []int64{3}, Targets: []Target{{Profile: 7, Score: 1}}}})
	assert.ErrorContains(t, err, "profile 7")
	_, err = Train(ctx, cfg, []Sample{{IDs: []int64{3}, Targets: []Target{{Profile: 0, Score: 2}}}})
	assert.ErrorContains(t, err, "outside [0,1]")
	_, err = Train(ctx, cfg, []Sample{{IDs: []int64{3}, Dataset: 4}})
	assert.ErrorContains(t, err, "dataset 4")
	bad := cfg
	bad.Epochs = 0
	_, err = Train(ctx, bad, []Sample{{IDs: []int64{3}}})
	assert.ErrorContains(t, err, "must be positive")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Train(cctx, cfg, []Sample{{IDs: []int64{3}}})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestEMAReturnsTheAverageOfTheSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	samples := tinyBatch(rng, 40)
	cfg := DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Epochs, cfg.Batch = tinySpec, 2, 2, 8
	cfg.EMA = 0
	var last *Params
	cfg.AfterEpoch = func(_ int, p *Params) { last = p.Clone() }
	raw, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	assert.Equal(t, last.W1, raw.W1, "without EMA the last step's parameters come back")

	cfg.EMA = 0.9
	avg, err := Train(context.Background(), cfg, samples)
	require.NoError(t, err)
	assert.NotEqual(t, raw.W1, avg.W1)
	// Each averaged weight lies within the range the raw run's start and
	// end span, shrunk towards earlier steps: closer to the start than raw.
	start, err := NewParams(tinySpec, 2, rand.New(rand.NewPCG(cfg.Seed, 0x726f75746572)))
	require.NoError(t, err)
	dRaw, dAvg := 0.0, 0.0
	for i := range raw.W1 {
		dRaw += math.Abs(raw.W1[i] - start.W1[i])
		dAvg += math.Abs(avg.W1[i] - start.W1[i])
	}
	assert.Less(t, dAvg, dRaw)
}

// After QuantizeEmb the float64 model the trainer measures and the
// exported int8 model are the same model: Predict matches Forward of the
// exported weights, whose table is the int8 one.
func TestQuantizedParamsPredictWhatTheExportedModelDoes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p, err := NewParams(tinySpec, 1, rng)
	require.NoError(t, err)
	ids := []int64{3, 4, 5, 19, 2}
	before, _, _ := p.Predict(ids, 0)
	p.QuantizeEmb()
	w := p.Weights(0)
	require.True(t, w.Quantized())
	require.NoError(t, w.Validate())
	for i, v := range w.Emb {
		require.Equal(t, p.Emb[i], float64(v), "emb[%d]", i)
	}
	logits, _, _ := p.Predict(ids, 0)
	q, _, _ := w.Forward(ids)
	for m := range q {
		assert.InDelta(t, sigmoid(logits[m]), float64(q[m]), 1e-5)
		assert.InDelta(t, before[m], logits[m], 0.05, "int8 rounding moves a logit only a little")
	}
	require.True(t, p.Clone().Weights(0).Quantized(), "a clone keeps the int8 table")
}

// A merged model predicts exactly the mean of its members' logits and log
// lengths, through the ordinary forward pass of the wider shape.
func TestMergePredictsTheMembersMean(t *testing.T) {
	for _, spec := range []arch.Spec{tinySpec, maxSpec} {
		t.Run("pool="+spec.Pool, func(t *testing.T) { testMergePredictsTheMembersMean(t, spec) })
	}
}

func testMergePredictsTheMembersMean(t *testing.T, tinySpec arch.Spec) {
	var members []*Params
	for seed := range uint64(3) {
		p, err := NewParams(tinySpec, 2, rand.New(rand.NewPCG(seed, 9)))
		require.NoError(t, err)
		p.Off = []float64{0.3 * float64(seed), -0.2}
		members = append(members, p)
	}
	merged, err := Merge(members)
	require.NoError(t, err)
	require.Equal(t, 3*tinySpec.Dim, merged.Spec.Dim)
	require.Equal(t, 3*tinySpec.Z, merged.Spec.Z)
	for _, ids := range [][]int64{{3, 4, 5, 19, 2}, {7}, {1, 1, 1}} {
		logits, logLens, _ := merged.Predict(ids, 0.1)
		for m := range tinySpec.Profiles {
			var wantQ, wantL float64
			for _, p := range members {
				l, ll, _ := p.Predict(ids, 0.1)
				wantQ += l[m] / 3
				wantL += ll[m] / 3
			}
			assert.InDelta(t, wantQ, logits[m], 1e-12)
			assert.InDelta(t, wantL, logLens[m], 1e-12)
		}
	}
	assert.InDelta(t, 0.3, merged.Off[0], 1e-12, "offsets are averaged too")
	ids := []int64{3, 4, 5}
	_, _, emb := merged.Weights(0).Forward(ids)
	require.Len(t, emb, tinySpec.Z, "the embedding output is as wide as one member's")
	for j := range tinySpec.Z {
		want := 0.0
		for _, p := range members {
			_, _, z := p.Predict(ids, 0)
			want += z[j] / 3
		}
		assert.InDelta(t, want, float64(emb[j]), 1e-5, "mean of the members' z")
	}
	one, err := Merge(members[:1])
	require.NoError(t, err)
	assert.Same(t, members[0], one)
	_, err = Merge(nil)
	assert.Error(t, err)
	other := tinySpec
	other.Dim++
	otherPool := tinySpec
	otherPool.Pool = map[string]string{arch.PoolMean: arch.PoolMeanMax, arch.PoolMeanMax: arch.PoolMean}[tinySpec.Pool]
	for _, s := range []arch.Spec{other, otherPool} {
		p, err := NewParams(s, 2, rand.New(rand.NewPCG(1, 1)))
		require.NoError(t, err)
		_, err = Merge([]*Params{members[0], p})
		assert.ErrorContains(t, err, "shape")
	}
}
