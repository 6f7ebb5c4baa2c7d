package fit

import (
	"math"

	"github.com/modelrouter/modelrouter/training/arch"
)

// Sample is one prompt with its targets.
type Sample struct {
	IDs     []int64 // truncated token ids
	Dataset int     // index of the dataset offset
	// Task is the prompt's task class for the auxiliary task loss (see
	// Loss.TaskWeight), or -1 when unknown.
	Task    int
	Targets []Target
}

// Target is one profile's labels on a sample: Score in [0,1] (a soft label
// for the BCE) or NaN, LogLen = log(output tokens) or NaN.
type Target struct {
	Profile int
	Score   float64
	LogLen  float64
}

// Loss weighs the terms: the batch loss is the mean BCE over quality
// pairs, plus LengthWeight times the mean squared log-length error over
// length pairs, plus PairWeight times the mean within-prompt ranking loss.
//
// The ranking term looks at two labelled profiles a, b of one prompt with
// different scores: a logistic loss on logit_a - logit_b with the soft
// label (1 + score_a - score_b)/2, averaged over the prompt's pairs and
// then over prompts. BCE alone is dominated by how hard the
// prompt is, which every profile shares; routing needs the differences
// between profiles on one prompt, and only this term asks for them
// directly (the prompt's difficulty and the dataset offset cancel in it).
//
// TaskWeight weighs an auxiliary cross-entropy of the prompt's task
// (Config.Tasks classes) predicted from z by a training-only head.
type Loss struct {
	LengthWeight float64
	PairWeight   float64
	TaskWeight   float64
}

// scratch holds one forward pass's intermediate values for backward.
type scratch struct {
	rows []int64
	// argmax[j] is the index in rows of the row whose value j is the max
	// (the first such row on ties); only with Spec.MaxPool.
	argmax []int
	x      []float64
	a1     []float64
	h      []float64
	z      []float64
	dz     []float64
	dh     []float64
	dx     []float64
	// per-target quality logits and their loss gradients
	logit, dlogit []float64
	// task head logits, then softmax probabilities
	task []float64
}

func newScratch(s arch.Spec) *scratch {
	return &scratch{
		x: make([]float64, s.Inputs()), a1: make([]float64, s.Hidden), h: make([]float64, s.Hidden),
		z: make([]float64, s.Z), dz: make([]float64, s.Z), dh: make([]float64, s.Hidden), dx: make([]float64, s.Inputs()),
		argmax: make([]int, s.Dim),
	}
}

// embedRows lists the embedding rows a prompt reads: each token and each
// adjacent pair's hash bucket, as arch.Features does.
func embedRows(s arch.Spec, ids []int64, rows []int64) []int64 {
	rows = rows[:0]
	for t, id := range ids {
		rows = append(rows, id)
		if t+1 < len(ids) {
			rows = append(rows, arch.PairID(s, id, ids[t+1]))
		}
	}
	return rows
}

// forward computes z for ids into sc.
func (p *Params) forward(ids []int64, sc *scratch) {
	s := p.Spec
	sc.rows = embedRows(s, ids, sc.rows)
	clear(sc.x)
	for _, r := range sc.rows {
		e := p.Emb[int(r)*s.Dim : int(r+1)*s.Dim]
		for j, v := range e {
			sc.x[j] += v
		}
	}
	if n := len(sc.rows); n > 0 {
		inv := 1 / float64(n)
		for j := range s.Dim {
			sc.x[j] *= inv
		}
	}
	if s.MaxPool() {
		p.maxPool(sc)
	}
	sc.x[s.Inputs()-1] = math.Log1p(float64(len(ids)))
	affine64(sc.x, p.W1, p.B1, sc.a1)
	for i, v := range sc.a1 {
		sc.h[i] = max(v, 0)
	}
	affine64(sc.h, p.W2, p.B2, sc.z)
}

// maxPool sets x[Dim:2*Dim] to the elementwise max of the rows and
// remembers which row won each value (0 for a prompt without rows).
func (p *Params) maxPool(sc *scratch) {
	s := p.Spec
	top := sc.x[s.Dim : 2*s.Dim]
	clear(sc.argmax)
	for k, r := range sc.rows {
		e := p.Emb[int(r)*s.Dim : int(r+1)*s.Dim]
		for j, v := range e {
			if k == 0 || v > top[j] {
				top[j], sc.argmax[j] = v, k
			}
		}
	}
}

// affine64 computes y = x·W + b for W of shape len(x) x len(y).
func affine64(x, W, b, y []float64) {
	out := len(y)
	copy(y, b)
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := W[i*out : (i+1)*out]
		for j, w := range row {
			y[j] += xi * w
		}
	}
}

// qualityLogit is profile m's quality logit for z, with the offset.
func (p *Params) qualityLogit(z []float64, m int, offset float64) float64 {
	M := p.Spec.Profiles
	v := p.QB[m] + offset
	for k, zk := range z {
		v += zk * p.QW[k*M+m]
		if len(p.QS) > 0 {
			v += zk * p.QS[k]
		}
	}
	return v
}

// logLength is profile m's predicted log output tokens for z.
func (p *Params) logLength(z []float64, m int) float64 {
	M := p.Spec.Profiles
	v := p.LB[m]
	for k, zk := range z {
		v += zk * p.LW[k*M+m]
	}
	return v
}

// Predict returns every profile's quality logit (with offset added) and
// predicted log length for ids, and z.
func (p *Params) Predict(ids []int64, offset float64) (logits, logLens, z []float64) {
	sc := newScratch(p.Spec)
	p.forward(ids, sc)
	M := p.Spec.Profiles
	logits, logLens = make([]float64, M), make([]float64, M)
	for m := range M {
		logits[m] = p.qualityLogit(sc.z, m, offset)
		logLens[m] = p.logLength(sc.z, m)
	}
	return logits, logLens, append([]float64(nil), sc.z...)
}

// norms are a batch's normalisers: the loss is a mean over the whole
// batch's pairs, however the batch is sharded.
// ranked counts the prompts with at least one ranked pair: each such
// prompt weighs the same in the ranking term, however many models it
// labels (zeroeval-math labels 43 on a prompt, llmrouter 9).
type norms struct{ quality, length, ranked, tasks float64 }

// rankedPairs is the number of target pairs with two different scores.
func rankedPairs(ts []Target) int {
	n := 0
	for i, a := range ts {
		if math.IsNaN(a.Score) {
			continue
		}
		for _, b := range ts[i+1:] {
			if !math.IsNaN(b.Score) && b.Score != a.Score {
				n++
			}
		}
	}
	return n
}

func batchNorms(batch []Sample) norms {
	var n norms
	for _, s := range batch {
		if s.Task >= 0 {
			n.tasks++
		}
		if rankedPairs(s.Targets) > 0 {
			n.ranked++
		}
		for _, t := range s.Targets {
			if !math.IsNaN(t.Score) {
				n.quality++
			}
			if !math.IsNaN(t.LogLen) {
				n.length++
			}
		}
	}
	return n
}

// qualityLoss fills sc.logit and sc.dlogit for smp's targets (NaN score:
// zero gradient) and returns the sample's share of the BCE and ranking
// terms of the batch loss.
func (p *Params) qualityLoss(smp Sample, n norms, loss Loss, sc *scratch) float64 {
	ts := smp.Targets
	if cap(sc.logit) < len(ts) {
		sc.logit, sc.dlogit = make([]float64, len(ts)), make([]float64, len(ts))
	}
	sc.logit, sc.dlogit = sc.logit[:len(ts)], sc.dlogit[:len(ts)]
	total := 0.0
	for i, t := range ts {
		sc.dlogit[i] = 0
		if math.IsNaN(t.Score) {
			continue
		}
		l := p.qualityLogit(sc.z, t.Profile, p.Off[smp.Dataset])
		sc.logit[i] = l
		total += bce(l, t.Score) / n.quality
		sc.dlogit[i] = (sigmoid(l) - t.Score) / n.quality
	}
	if loss.PairWeight == 0 || n.ranked == 0 {
		return total
	}
	np := rankedPairs(ts)
	if np == 0 {
		return total
	}
	w := loss.PairWeight / n.ranked / float64(np)
	for i, a := range ts {
		if math.IsNaN(a.Score) {
			continue
		}
		for j := i + 1; j < len(ts); j++ {
			b := ts[j]
			if math.IsNaN(b.Score) || b.Score == a.Score {
				continue
			}
			d, y := sc.logit[i]-sc.logit[j], (1+a.Score-b.Score)/2
			total += w * bce(d, y)
			g := w * (sigmoid(d) - y)
			sc.dlogit[i] += g
			sc.dlogit[j] -= g
		}
	}
	return total
}

// grads is one worker's gradient buffer: a Params-shaped array set plus
// the embedding rows it touched, so only those are summed and cleared.
type grads struct {
	g       *Params
	touched []int64
	mark    []bool
	sc      *scratch
}

// newGrads allocates a gradient buffer shaped like p.
func newGrads(p *Params) *grads {
	s := p.Spec
	g := zeroParams(s, len(p.Off), len(p.TB))
	g.QS = make([]float64, len(p.QS))
	return &grads{g: g, mark: make([]bool, s.Vocab+s.Buckets), sc: newScratch(s)}
}

// accumulate adds the gradient of the batch loss's share of one sample to
// gr and returns that share of the loss.
func (p *Params) accumulate(smp Sample, n norms, loss Loss, gr *grads) float64 {
	s, M, sc, g := p.Spec, p.Spec.Profiles, gr.sc, gr.g
	p.forward(smp.IDs, sc)
	clear(sc.dz)
	total := p.qualityLoss(smp, n, loss, sc)
	for i, t := range smp.Targets {
		m := t.Profile
		if !math.IsNaN(t.Score) {
			d := sc.dlogit[i]
			g.QB[m] += d
			g.Off[smp.Dataset] += d
			for k, zk := range sc.z {
				g.QW[k*M+m] += zk * d
				sc.dz[k] += p.QW[k*M+m] * d
				if len(p.QS) > 0 {
					g.QS[k] += zk * d
					sc.dz[k] += p.QS[k] * d
				}
			}
		}
		if !math.IsNaN(t.LogLen) {
			e := p.logLength(sc.z, m) - t.LogLen
			total += loss.LengthWeight * e * e / n.length
			d := 2 * loss.LengthWeight * e / n.length
			g.LB[m] += d
			for k, zk := range sc.z {
				g.LW[k*M+m] += zk * d
				sc.dz[k] += p.LW[k*M+m] * d
			}
		}
	}
	total += p.taskLoss(smp, n, loss, sc, g)
	// z = h·W2 + b2
	clear(sc.dh)
	for i, hi := range sc.h {
		row := p.W2[i*s.Z : (i+1)*s.Z]
		grow := g.W2[i*s.Z : (i+1)*s.Z]
		acc := 0.0
		for k, dzk := range sc.dz {
			grow[k] += hi * dzk
			acc += row[k] * dzk
		}
		sc.dh[i] = acc
	}
	for k, dzk := range sc.dz {
		g.B2[k] += dzk
	}
	// h = relu(a1), a1 = x·W1 + b1
	for i := range sc.dh {
		if sc.a1[i] <= 0 {
			sc.dh[i] = 0
		}
		g.B1[i] += sc.dh[i]
	}
	for j, xj := range sc.x {
		row := p.W1[j*s.Hidden : (j+1)*s.Hidden]
		grow := g.W1[j*s.Hidden : (j+1)*s.Hidden]
		acc := 0.0
		for i, da := range sc.dh {
			grow[i] += xj * da
			acc += row[i] * da
		}
		sc.dx[j] = acc
	}
	// x[:Dim] = mean of embedding rows
	if len(sc.rows) > 0 {
		inv := 1 / float64(len(sc.rows))
		for _, r := range sc.rows {
			if !gr.mark[r] {
				gr.mark[r] = true
				gr.touched = append(gr.touched, r)
			}
			ge := g.Emb[int(r)*s.Dim : int(r+1)*s.Dim]
			for j := range ge {
				ge[j] += sc.dx[j] * inv
			}
		}
		// x[Dim:2*Dim] = elementwise max: value j's gradient goes to the
		// row that won it.
		if s.MaxPool() {
			for j, k := range sc.argmax {
				r := sc.rows[k]
				g.Emb[int(r)*s.Dim+j] += sc.dx[s.Dim+j]
			}
		}
	}
	return total
}

// taskLoss adds the auxiliary task cross-entropy's share of smp: its
// gradient goes into g (when set) and into sc.dz.
func (p *Params) taskLoss(smp Sample, n norms, loss Loss, sc *scratch, g *Params) float64 {
	T := len(p.TB)
	if loss.TaskWeight == 0 || T == 0 || smp.Task < 0 || n.tasks == 0 {
		return 0
	}
	if cap(sc.task) < T {
		sc.task = make([]float64, T)
	}
	q := sc.task[:T]
	copy(q, p.TB)
	for k, zk := range sc.z {
		row := p.TW[k*T : (k+1)*T]
		for c, w := range row {
			q[c] += zk * w
		}
	}
	top := q[0]
	for _, v := range q {
		top = max(top, v)
	}
	sum := 0.0
	for c, v := range q {
		q[c] = math.Exp(v - top)
		sum += q[c]
	}
	w := loss.TaskWeight / n.tasks
	l := w * -math.Log(q[smp.Task]/sum)
	if g == nil {
		return l
	}
	for c := range q {
		d := q[c] / sum
		if c == smp.Task {
			d--
		}
		q[c] = d * w
		g.TB[c] += q[c]
	}
	for k, zk := range sc.z {
		row, grow := p.TW[k*T:(k+1)*T], g.TW[k*T:(k+1)*T]
		acc := 0.0
		for c, d := range q {
			grow[c] += zk * d
			acc += row[c] * d
		}
		sc.dz[k] += acc
	}
	return l
}

// bce is the binary cross-entropy of logit l against soft label y,
// computed stably.
func bce(l, y float64) float64 {
	// -(y log σ(l) + (1-y) log(1-σ(l))) = softplus(l) - y·l
	return softplus(l) - y*l
}

func softplus(l float64) float64 {
	if l > 30 {
		return l
	}
	if l < -30 {
		return math.Exp(l)
	}
	return math.Log1p(math.Exp(l))
}

func sigmoid(l float64) float64 { return 1 / (1 + math.Exp(-l)) }
