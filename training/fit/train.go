package fit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/modelrouter/modelrouter/training/arch"
)

// Config is a training run's settings.
type Config struct {
	Spec        arch.Spec // Profiles must match the samples
	Datasets    int       // number of dataset offsets
	Tasks       int       // task classes of the auxiliary task loss (0: none)
	Epochs      int
	Batch       int
	LR          float64 // Adam step size
	WeightDecay float64 // decoupled (AdamW) decay per step, times LR
	// EmbLRScale scales the step size of the embedding table (1: that of
	// every other tensor; 0: the table stays at its start, decay included):
	// the table is most of the parameters and memorises prompts first.
	EmbLRScale float64
	// EmbInit scales the embedding table's initial N(0,1) draws (1: as
	// drawn; 0: a zero table, which the first layer's gradient still moves,
	// row by row as the tokens occur). Mean pooling adds the random start of
	// every row in a prompt, which is noise the learned part of the rows has
	// to outgrow.
	EmbInit float64
	// W1Init scales the first layer's initial draws (1: as drawn); it must
	// be above 0: a zero first layer, with its zero biases, gives every
	// hidden unit a pre-activation of 0, where relu passes no gradient, so
	// the layer and everything below it would never move.
	W1Init float64
	// EmbStart, if set, replaces the first len(EmbStart)/Dim rows of the
	// initial embedding table (the token rows; pretrained vectors, see
	// training/pretrain), after EmbInit scaling.
	EmbStart []float64
	Loss     Loss
	Seed     uint64
	Workers  int // goroutines; the result does not depend on it
	// Progress, if set, is called after every step with the steps done, the
	// total and the running mean loss of the current epoch.
	Progress func(step, total int, loss float64)
	// EMA, if in (0,1), makes Train return an exponential moving average
	// of the parameters over the steps (decay EMA per step), which smooths
	// out the last steps' noise.
	EMA float64
	// ProfileDecay is the decoupled weight decay of each profile's own
	// quality column, the part beyond the shared one (Params.QS); 0 leaves
	// them at WeightDecay.
	ProfileDecay float64
	// RawBiasInit starts each profile's quality bias at the logit of its
	// own mean score and every dataset offset at zero, as before the joint
	// start (see initBiases); false fits both jointly.
	RawBiasInit bool
	// TokenDrop, if in (0,1), drops each token of a training prompt with
	// this probability, afresh every epoch (see dropTokens).
	TokenDrop float64
	// AfterEpoch, if set, sees the parameters after each epoch (read only).
	AfterEpoch func(epoch int, p *Params)
}

// DefaultConfig holds the shipped model's optimiser settings (without Spec
// and Datasets, which come from the data); the ranking and task terms and
// the initial scales are 1 here (the draws as made) and set by
// pipeline.DefaultOptions. A Config's fields are read as they are: a 0
// weight decay, EMA or embedding step-size scale is no decay, no average,
// a frozen table, never "the default".
func DefaultConfig() Config {
	return Config{Epochs: 3, Batch: 64, LR: 2e-3, WeightDecay: 0.01, EMA: 0.99, EmbLRScale: 1, EmbInit: 1, W1Init: 1,
		Loss: Loss{LengthWeight: 0.1}, Seed: 1, Workers: 2}
}

// shards is the fixed number of gradient shards. Each worker sums whole
// shards and the shards are added in index order, so the result is the
// same for any number of workers.
const shards = 2

// Train fits parameters to samples. The run is deterministic for a seed:
// batches come from a seeded permutation, each batch is cut into the same
// shards whatever the worker count, and shard gradients are added in a
// fixed order.
func Train(ctx context.Context, cfg Config, samples []Sample) (*Params, error) {
	if len(samples) == 0 {
		return nil, errors.New("fit: no training samples")
	}
	if cfg.Epochs <= 0 || cfg.Batch <= 0 || cfg.LR <= 0 {
		return nil, fmt.Errorf("fit: epochs, batch and learning rate must be positive (got %d, %d, %g)", cfg.Epochs, cfg.Batch, cfg.LR)
	}
	// Written so NaN fails too.
	if !(cfg.W1Init > 0) || !(cfg.EmbInit >= 0) || !(cfg.EmbLRScale >= 0) || !(cfg.WeightDecay >= 0) {
		return nil, fmt.Errorf("fit: W1Init must be positive, EmbInit, EmbLRScale and WeightDecay not negative (got %g, %g, %g, %g)", cfg.W1Init, cfg.EmbInit, cfg.EmbLRScale, cfg.WeightDecay)
	}
	if err := checkSamples(cfg, samples); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x726f75746572))
	p, err := NewParams(cfg.Spec, cfg.Datasets, rng)
	if err != nil {
		return nil, err
	}
	for i := range p.Emb {
		p.Emb[i] *= cfg.EmbInit
	}
	if len(cfg.EmbStart) > len(p.Emb) || len(cfg.EmbStart)%cfg.Spec.Dim != 0 {
		return nil, fmt.Errorf("fit: EmbStart has %d values, want whole rows of %d within the table's %d", len(cfg.EmbStart), cfg.Spec.Dim, len(p.Emb))
	}
	copy(p.Emb, cfg.EmbStart)
	for i := range p.W1 {
		p.W1[i] *= cfg.W1Init
	}
	if cfg.Tasks > 0 {
		p.addTaskHead(cfg.Tasks, rng)
	}
	if cfg.ProfileDecay > 0 {
		p.addSharedColumn()
	}
	initBiases(p, samples, cfg.RawBiasInit)
	opt := newAdam(p, cfg)
	bufs := make([]*grads, shards)
	for i := range bufs {
		bufs[i] = newGrads(p)
	}
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	steps := (len(samples) + cfg.Batch - 1) / cfg.Batch
	total, step := steps*cfg.Epochs, 0
	batch := make([]Sample, 0, cfg.Batch)
	var avg *Params
	if cfg.EMA > 0 && cfg.EMA < 1 {
		avg = p.Clone()
	}
	for epoch := range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		sum := 0.0
		for b := range steps {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			batch = batch[:0]
			for _, i := range order[b*cfg.Batch : min((b+1)*cfg.Batch, len(order))] {
				batch = append(batch, dropTokens(samples[i], cfg, epoch, i))
			}
			sum += p.shardedGradient(batch, cfg, bufs)
			reduce(bufs)
			opt.step(p, bufs[0].g, bufs[0].touched, cfg.Workers)
			for _, g := range bufs {
				g.reset()
			}
			if avg != nil {
				avg.blend(p, cfg.EMA, cfg.Workers)
			}
			step++
			if cfg.Progress != nil {
				cfg.Progress(step, total, sum/float64(b+1))
			}
		}
		if cfg.AfterEpoch != nil {
			if avg != nil {
				cfg.AfterEpoch(epoch+1, avg)
			} else {
				cfg.AfterEpoch(epoch+1, p)
			}
		}
	}
	if avg != nil {
		p = avg
	}
	p.foldShared()
	return p, nil
}

func checkSamples(cfg Config, samples []Sample) error {
	rows := int64(cfg.Spec.Vocab)
	for i, s := range samples {
		if s.Dataset < 0 || s.Dataset >= cfg.Datasets {
			return fmt.Errorf("fit: sample %d has dataset %d of %d", i, s.Dataset, cfg.Datasets)
		}
		if cfg.Tasks > 0 && s.Task >= cfg.Tasks {
			return fmt.Errorf("fit: sample %d has task %d of %d", i, s.Task, cfg.Tasks)
		}
		for _, id := range s.IDs {
			if id < 0 || id >= rows {
				return fmt.Errorf("fit: sample %d has token id %d outside the vocabulary of %d", i, id, rows)
			}
		}
		for _, t := range s.Targets {
			if t.Profile < 0 || t.Profile >= cfg.Spec.Profiles {
				return fmt.Errorf("fit: sample %d has profile %d of %d", i, t.Profile, cfg.Spec.Profiles)
			}
			if !math.IsNaN(t.Score) && (t.Score < 0 || t.Score > 1) {
				return fmt.Errorf("fit: sample %d has score %g outside [0,1]", i, t.Score)
			}
		}
	}
	return nil
}

// shardedGradient cuts batch into fixed shards, computes each shard's
// gradient on its own buffer (in parallel) and returns the batch loss.
func (p *Params) shardedGradient(batch []Sample, cfg Config, bufs []*grads) float64 {
	n := batchNorms(batch)
	losses := make([]float64, len(bufs))
	per := (len(batch) + len(bufs) - 1) / len(bufs)
	run := func(k int) {
		lo, hi := min(k*per, len(batch)), min((k+1)*per, len(batch))
		for _, smp := range batch[lo:hi] {
			losses[k] += p.accumulate(smp, n, cfg.Loss, bufs[k])
		}
	}
	if cfg.Workers <= 1 {
		for k := range bufs {
			run(k)
		}
	} else {
		var wg sync.WaitGroup
		for k := range bufs {
			wg.Go(func() { run(k) })
		}
		wg.Wait()
	}
	total := 0.0
	for _, l := range losses {
		total += l
	}
	return total
}

// reduce adds every shard's gradient into bufs[0], in shard order.
func reduce(bufs []*grads) {
	g0 := bufs[0]
	dim := g0.g.Spec.Dim
	for _, gk := range bufs[1:] {
		dst, src := g0.g.tensors(), gk.g.tensors()
		for i := range dst {
			if dst[i].name == "emb" {
				continue
			}
			for j, v := range src[i].data {
				dst[i].data[j] += v
			}
		}
		for _, r := range gk.touched {
			if !g0.mark[r] {
				g0.mark[r] = true
				g0.touched = append(g0.touched, r)
			}
			d := g0.g.Emb[int(r)*dim : int(r+1)*dim]
			for j, v := range gk.g.Emb[int(r)*dim : int(r+1)*dim] {
				d[j] += v
			}
		}
	}
}

// reset clears the buffer for the next batch.
func (gr *grads) reset() {
	for _, t := range gr.g.tensors() {
		if t.name != "emb" {
			clear(t.data)
		}
	}
	dim := gr.g.Spec.Dim
	for _, r := range gr.touched {
		clear(gr.g.Emb[int(r)*dim : int(r+1)*dim])
		gr.mark[r] = false
	}
	gr.touched = gr.touched[:0]
}

// blend moves a towards p: a = decay·a + (1-decay)·p.
func (a *Params) blend(p *Params, decay float64, workers int) {
	at, pt := a.tensors(), p.tensors()
	for i := range at {
		dst, src := at[i].data, pt[i].data
		parallel(len(dst), workers, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				dst[j] = decay*dst[j] + (1-decay)*src[j]
			}
		})
	}
}
