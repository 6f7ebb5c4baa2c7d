// Package fit trains the router model of training/arch: a shared prompt
// representation z and one ability vector per profile (item-response style),
// so every label teaches every profile, with a per-dataset offset in the
// quality logit because scores of different datasets are on different
// scales. Training runs in float64, on a fixed number of goroutines with
// fixed sharding and a fixed-order gradient sum, so a seed gives the same
// weights on any machine.
package fit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/modelrouter/modelrouter/training/arch"
)

// Params are the trainable parameters: arch.Weights in float64 plus the
// per-dataset quality offsets Off, which are not exported (at inference the
// offset is the label-weighted mean, see Weights).
type Params struct {
	Spec arch.Spec
	Emb  []float64 // (Vocab+Buckets) x Dim
	W1   []float64 // Spec.Inputs() x Hidden
	B1   []float64 // Hidden
	W2   []float64 // Hidden x Z
	B2   []float64 // Z
	QW   []float64 // Z x M
	QB   []float64 // M
	// QS, when set (Config.ProfileDecay > 0), is a quality column shared
	// by every profile during training: profile m's effective column is
	// QW[:,m] + QS, and Config.ProfileDecay pulls QW towards zero, so where
	// a profile's own labels say nothing (prompts unlike its datasets) it
	// follows the average profile's response to the prompt rather than
	// none. Train folds QS into QW before it returns.
	QS  []float64 // Z
	LW  []float64 // Z x M
	LB  []float64 // M
	Off []float64 // one per dataset
	// TW, TB are an auxiliary head that predicts the prompt's task (dataset
	// and benchmark category) from z during training only, so that z
	// separates tasks and the profile heads can learn per-task strengths.
	// Not exported; empty when the run has no task loss.
	TW []float64 // Z x Tasks
	TB []float64 // Tasks
	// embQ and embScale are set by QuantizeEmb: the int8 table that Emb
	// then equals, exported as it is.
	embQ     []int8
	embScale []float32
	// zOut, set by Merge, projects z onto the exported embedding output
	// (Z x Z/K: the mean of the members' z); nil exports z itself.
	zOut []float64
}

// tensor is one named parameter array; decay says whether weight decay
// applies (not to biases and offsets).
type tensor struct {
	name  string
	data  []float64
	decay bool
}

func (p *Params) tensors() []tensor {
	return []tensor{
		{"emb", p.Emb, true}, {"w1", p.W1, true}, {"b1", p.B1, false},
		{"w2", p.W2, true}, {"b2", p.B2, false}, {"qw", p.QW, true}, {"qb", p.QB, false}, {"qs", p.QS, true},
		{"lw", p.LW, true}, {"lb", p.LB, false}, {"off", p.Off, false},
		{"tw", p.TW, true}, {"tb", p.TB, false},
	}
}

// zeroParams allocates zeroed parameters.
func zeroParams(s arch.Spec, datasets, tasks int) *Params {
	return &Params{
		Spec: s,
		Emb:  make([]float64, (s.Vocab+s.Buckets)*s.Dim),
		W1:   make([]float64, s.Inputs()*s.Hidden), B1: make([]float64, s.Hidden),
		W2: make([]float64, s.Hidden*s.Z), B2: make([]float64, s.Z),
		QW: make([]float64, s.Z*s.Profiles), QB: make([]float64, s.Profiles),
		LW: make([]float64, s.Z*s.Profiles), LB: make([]float64, s.Profiles),
		Off: make([]float64, datasets),
		TW:  make([]float64, s.Z*tasks), TB: make([]float64, tasks),
	}
}

// NewParams draws initial parameters from rng: embeddings of unit scale
// (mean pooling shrinks them), He-scaled MLP layers, small profile vectors.
func NewParams(s arch.Spec, datasets int, rng *rand.Rand) (*Params, error) {
	if s.Vocab <= 0 || s.Buckets <= 0 || s.Dim <= 0 || s.Hidden <= 0 || s.Z <= 0 || s.Profiles <= 0 || s.MaxLen <= 0 {
		return nil, fmt.Errorf("fit: every dimension must be positive: %+v", s)
	}
	if err := s.CheckPool(); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	if datasets <= 0 {
		return nil, fmt.Errorf("fit: need at least one dataset, got %d", datasets)
	}
	p := zeroParams(s, datasets, 0)
	fill := func(a []float64, std float64) {
		for i := range a {
			a[i] = rng.NormFloat64() * std
		}
	}
	fill(p.Emb, 1)
	// The mean rows and the log-length row are drawn first, in the order
	// of a mean-only model, and the max rows last, so a mean+max model
	// starts from the same draws as the mean-only one of its seed plus its
	// own max block (a paired comparison of the two).
	meanStd := math.Sqrt(2/float64(s.Dim+1)) * 4 // pooled inputs are ~1/sqrt(n) in scale
	H := s.Hidden
	fill(p.W1[:s.Dim*H], meanStd)
	fill(p.W1[(s.Inputs()-1)*H:], meanStd)
	fill(p.W2, math.Sqrt(2/float64(s.Hidden)))
	fill(p.QW, 0.1/math.Sqrt(float64(s.Z)))
	fill(p.LW, 0.1/math.Sqrt(float64(s.Z)))
	// The max of a prompt's rows does not shrink with its length (it grows
	// slowly), so the max block has no such factor.
	fill(p.W1[s.Dim*H:(s.Inputs()-1)*H], math.Sqrt(2/float64(s.Dim+1)))
	return p, nil
}

// addSharedColumn gives p the shared quality column (zero at first).
func (p *Params) addSharedColumn() { p.QS = make([]float64, p.Spec.Z) }

// foldShared adds the shared quality column into every profile's column
// and drops it: the same predictions, in the exported form.
func (p *Params) foldShared() {
	M := p.Spec.Profiles
	for k, v := range p.QS {
		for m := range M {
			p.QW[k*M+m] += v
		}
	}
	p.QS = nil
}

// folded returns p with the shared quality column folded in: p itself
// when it has none (Train's result), a folded copy otherwise (the
// parameters AfterEpoch sees), so exported and merged weights predict what
// p does.
func (p *Params) folded() *Params {
	if len(p.QS) == 0 {
		return p
	}
	q := p.Clone()
	q.foldShared()
	return q
}

// addTaskHead gives p an auxiliary task head for tasks classes, drawn
// from rng like the profile heads.
func (p *Params) addTaskHead(tasks int, rng *rand.Rand) {
	p.TW, p.TB = make([]float64, p.Spec.Z*tasks), make([]float64, tasks)
	for i := range p.TW {
		p.TW[i] = rng.NormFloat64() * 0.1 / math.Sqrt(float64(p.Spec.Z))
	}
}

// Clone deep-copies p.
func (p *Params) Clone() *Params {
	q := zeroParams(p.Spec, len(p.Off), len(p.TB))
	q.QS = make([]float64, len(p.QS))
	src, dst := p.tensors(), q.tensors()
	for i := range src {
		copy(dst[i].data, src[i].data)
	}
	if p.embQ != nil {
		q.embQ, q.embScale = append([]int8(nil), p.embQ...), append([]float32(nil), p.embScale...)
	}
	if p.zOut != nil {
		q.zOut = append([]float64(nil), p.zOut...)
	}
	return q
}

// Weights exports the parameters for ONNX and arch.Forward, with offset
// added to every profile's quality bias (the dataset is unknown at
// inference; the trainer passes MeanOffset).
func (p *Params) Weights(offset float64) *arch.Weights {
	p = p.folded()
	w := arch.NewWeights(p.Spec)
	conv := func(dst []float32, src []float64) {
		for i, v := range src {
			dst[i] = float32(v)
		}
	}
	conv(w.Emb, p.Emb)
	conv(w.W1, p.W1)
	conv(w.B1, p.B1)
	conv(w.W2, p.W2)
	conv(w.B2, p.B2)
	conv(w.QW, p.QW)
	conv(w.QB, p.QB)
	conv(w.LW, p.LW)
	conv(w.LB, p.LB)
	for m := range w.QB {
		w.QB[m] += float32(offset)
	}
	if p.embQ != nil {
		w.EmbQ, w.EmbScale = append([]int8(nil), p.embQ...), append([]float32(nil), p.embScale...)
	}
	if p.zOut != nil {
		w.ZOut = make([]float32, len(p.zOut))
		conv(w.ZOut, p.zOut)
	}
	return w
}

// QuantizeEmb rounds the embedding table to int8 with a per-row scale
// (arch.QuantizeRows) and sets Emb to the dequantized values, so that
// predictions, calibration and bands measured on p describe the shipped
// model. Weights then exports the int8 table. Call it after training.
func (p *Params) QuantizeEmb() {
	f := make([]float32, len(p.Emb))
	for i, v := range p.Emb {
		f[i] = float32(v)
	}
	p.embQ, p.embScale = arch.QuantizeRows(f, p.Spec.Dim)
	for i, v := range arch.DequantizeRows(p.embQ, p.embScale, p.Spec.Dim) {
		p.Emb[i] = float64(v)
	}
}

// MeanOffset is the dataset offsets' mean weighted by weights (e.g. each
// dataset's number of quality labels).
func (p *Params) MeanOffset(weights []float64) float64 {
	s, n := 0.0, 0.0
	for d, o := range p.Off {
		if d < len(weights) {
			s += o * weights[d]
			n += weights[d]
		}
	}
	if n == 0 {
		return 0
	}
	return s / n
}
