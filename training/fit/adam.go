package fit

import (
	"math"
	"sync"
)

// adam is AdamW: Adam moments with decoupled weight decay. Embedding rows
// are updated lazily (only the rows in the batch, as LazyAdam does for
// sparse embeddings): a row's moments and decay advance when it is used, so
// a step costs the batch's rows rather than the whole table.
type adam struct {
	lr, wd, b1, b2, eps float64
	embScale            float64
	// profileDecay is the decoupled decay of the profiles' own quality
	// columns (Config.ProfileDecay), when above the general one.
	profileDecay float64
	t            int
	m, v         [][]float64 // per tensor
}

func newAdam(p *Params, cfg Config) *adam {
	a := &adam{lr: cfg.LR, wd: cfg.WeightDecay, b1: 0.9, b2: 0.999, eps: 1e-8, embScale: cfg.EmbLRScale, profileDecay: cfg.ProfileDecay}
	for _, t := range p.tensors() {
		a.m = append(a.m, make([]float64, len(t.data)))
		a.v = append(a.v, make([]float64, len(t.data)))
	}
	return a
}

// step applies one update with gradient g; touched lists the embedding
// rows with a gradient. Work is split by index ranges, which keeps the
// update identical for any worker count.
func (a *adam) step(p *Params, g *Params, touched []int64, workers int) {
	a.t++
	c1 := 1 - math.Pow(a.b1, float64(a.t))
	c2 := 1 - math.Pow(a.b2, float64(a.t))
	pt, gt := p.tensors(), g.tensors()
	dim := p.Spec.Dim
	update := func(i, lo, hi int) {
		w, gr, m, v := pt[i].data, gt[i].data, a.m[i], a.v[i]
		decay, lr := 0.0, a.lr
		if pt[i].decay {
			decay = a.wd
		}
		if pt[i].name == "qw" {
			decay = max(decay, a.profileDecay)
		}
		if i == 0 {
			lr *= a.embScale
		}
		for j := lo; j < hi; j++ {
			m[j] = a.b1*m[j] + (1-a.b1)*gr[j]
			v[j] = a.b2*v[j] + (1-a.b2)*gr[j]*gr[j]
			w[j] -= lr * (m[j]/c1/(math.Sqrt(v[j]/c2)+a.eps) + decay*w[j])
		}
	}
	parallel(len(touched), workers, func(lo, hi int) {
		for _, r := range touched[lo:hi] {
			update(0, int(r)*dim, int(r+1)*dim)
		}
	})
	for i := 1; i < len(pt); i++ {
		update(i, 0, len(pt[i].data))
	}
}

// parallel runs fn over [0, n) cut into workers contiguous ranges.
func parallel(n, workers int, fn func(lo, hi int)) {
	if workers <= 1 || n < 256 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for k := range workers {
		lo, hi := min(k*per, n), min((k+1)*per, n)
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}
