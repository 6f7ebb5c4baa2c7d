// Package arch defines the router model's architecture once, for everyone
// who must agree on it: the trainer (training/), the ONNX writer and the
// parity tests that hold ONNX Runtime to the Go forward pass.
//
// The model reads token ids and predicts, for each of M profiles, the
// probability that the profile answers the prompt well and its expected
// answer length:
//
//	x      = mean of E[u_t] over tokens and E[V + hash(u_t, u_t+1)] over adjacent pairs,
//	         [with Pool "mean+max": then their elementwise max over the same rows,]
//	         concatenated with log(1 + number of tokens)
//	h      = relu(x·W1 + b1)
//	z      = h·W2 + b2                      (the prompt's representation)
//	qual_m = sigmoid(z·QW[:,m] + QB[m])      (profile m's ability vector QW[:,m])
//	len_m  = exp(z·LW[:,m] + LB[m])
//
// Profiles are columns of QW and LW, so a new profile is one more column
// fitted from its own labels while everything else stays fixed.
package arch

import (
	"fmt"
	"math"
)

// BigramMul mixes the first token of a pair into its hash bucket.
const BigramMul = 1000003

// Spec is the model's shape.
type Spec struct {
	Vocab    int `json:"vocab"`    // tokenizer vocabulary size; id 0 is padding
	Buckets  int `json:"buckets"`  // hashed token-pair buckets
	Dim      int `json:"dim"`      // embedding size
	Hidden   int `json:"hidden"`   // MLP hidden units
	Z        int `json:"z"`        // prompt representation size
	Profiles int `json:"profiles"` // M
	MaxLen   int `json:"max_len"`  // tokens the model reads at most
	// Pool is how the embedding rows become x: PoolMean ("") or
	// PoolMeanMax. Empty keeps older cards and files meaning what they did.
	Pool string `json:"pool,omitempty"`
}

// Pooling of the embedding rows.
const (
	// PoolMean: x = [mean of the rows, log(1+len)].
	PoolMean = ""
	// PoolMeanMax: x = [mean of the rows, their elementwise max, log(1+len)]
	// (SWEM-concat). The mean dilutes a rare informative token in a long
	// prompt; the max keeps its strongest values whatever the length.
	PoolMeanMax = "mean+max"
)

// MaxPool reports whether x has the max block.
func (s Spec) MaxPool() bool { return s.Pool == PoolMeanMax }

// Inputs is the length of x, the rows of W1: Dim (mean), Dim more with the
// max block, and one for log(1+len).
func (s Spec) Inputs() int {
	if s.MaxPool() {
		return 2*s.Dim + 1
	}
	return s.Dim + 1
}

// CheckPool rejects an unknown Pool.
func (s Spec) CheckPool() error {
	switch s.Pool {
	case PoolMean, PoolMeanMax:
		return nil
	}
	return fmt.Errorf("arch: unknown pool %q (want %q for mean, or %q; ParsePool reads %q)", s.Pool, PoolMean, PoolMeanMax, "mean")
}

// ParsePool maps a flag value to a Spec.Pool: "mean" (or "") and "mean+max".
func ParsePool(v string) (string, error) {
	switch v {
	case "", "mean":
		return PoolMean, nil
	case PoolMeanMax:
		return PoolMeanMax, nil
	}
	return "", fmt.Errorf("pool %q: want mean or %s", v, PoolMeanMax)
}

// Weights are the trained parameters, row-major, shapes as commented.
type Weights struct {
	Spec Spec
	Emb  []float32 // (Vocab+Buckets) x Dim
	// EmbQ and EmbScale, when set (QuantizeEmb), are the int8 table the
	// ONNX file stores and Emb is exactly their dequantization.
	EmbQ     []int8    // (Vocab+Buckets) x Dim
	EmbScale []float32 // Vocab+Buckets
	W1       []float32 // Spec.Inputs() x Hidden
	B1       []float32 // Hidden
	W2       []float32 // Hidden x Z
	B2       []float32 // Z
	QW       []float32 // Z x M
	QB       []float32 // M
	LW       []float32 // Z x M
	LB       []float32 // M
	// ZOut, when set, is a Z x K projection: the embedding output is z·ZOut
	// instead of z (a merged ensemble reports the mean of its members' z,
	// keeping the output as wide as one member's).
	ZOut []float32
}

// NewWeights allocates zeroed weights for s.
func NewWeights(s Spec) *Weights {
	return &Weights{
		Spec: s,
		Emb:  make([]float32, (s.Vocab+s.Buckets)*s.Dim),
		W1:   make([]float32, s.Inputs()*s.Hidden),
		B1:   make([]float32, s.Hidden),
		W2:   make([]float32, s.Hidden*s.Z),
		B2:   make([]float32, s.Z),
		QW:   make([]float32, s.Z*s.Profiles),
		QB:   make([]float32, s.Profiles),
		LW:   make([]float32, s.Z*s.Profiles),
		LB:   make([]float32, s.Profiles),
	}
}

// Validate checks that every tensor has the size its Spec implies.
func (w *Weights) Validate() error {
	s := w.Spec
	if err := s.CheckPool(); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		got  int
		want int
	}{
		{"emb", len(w.Emb), (s.Vocab + s.Buckets) * s.Dim},
		{"w1", len(w.W1), s.Inputs() * s.Hidden}, {"b1", len(w.B1), s.Hidden},
		{"w2", len(w.W2), s.Hidden * s.Z}, {"b2", len(w.B2), s.Z},
		{"qw", len(w.QW), s.Z * s.Profiles}, {"qb", len(w.QB), s.Profiles},
		{"lw", len(w.LW), s.Z * s.Profiles}, {"lb", len(w.LB), s.Profiles},
	} {
		if c.got != c.want {
			return fmt.Errorf("arch: %s has %d values, want %d", c.name, c.got, c.want)
		}
	}
	if s.Vocab <= 0 || s.Buckets <= 0 || s.Dim <= 0 || s.Hidden <= 0 || s.Z <= 0 || s.Profiles <= 0 || s.MaxLen <= 0 {
		return fmt.Errorf("arch: every dimension must be positive: %+v", s)
	}
	if w.ZOut != nil && len(w.ZOut)%s.Z != 0 {
		return fmt.Errorf("arch: zout has %d values, not a multiple of z %d", len(w.ZOut), s.Z)
	}
	return w.validateQuant()
}

// PairID is the embedding row of the token pair (a, b).
func PairID(s Spec, a, b int64) int64 {
	return int64(s.Vocab) + (a*BigramMul+b)%int64(s.Buckets)
}

// Features returns x for one prompt's token ids (already truncated to
// MaxLen, no padding): the mean embedding of tokens and pairs, with
// PoolMeanMax their elementwise max, then log(1+len). A prompt without
// tokens has zeros for both.
func (w *Weights) Features(ids []int64) []float32 {
	s := w.Spec
	x := make([]float32, s.Inputs())
	sum, top := x[:s.Dim], x[s.Dim:s.Inputs()-1]
	n := 0
	add := func(row int64) {
		e := w.Emb[int(row)*s.Dim : int(row+1)*s.Dim]
		for j, v := range e {
			sum[j] += v
		}
		if s.MaxPool() {
			if n == 0 {
				copy(top, e)
			}
			for j, v := range e {
				top[j] = max(top[j], v)
			}
		}
		n++
	}
	for t, id := range ids {
		add(id)
		if t+1 < len(ids) {
			add(PairID(s, id, ids[t+1]))
		}
	}
	if n > 0 {
		for j := range s.Dim {
			sum[j] /= float32(n)
		}
	}
	x[s.Inputs()-1] = float32(math.Log1p(float64(len(ids))))
	return x
}

// HeadInput is the prompt representation the profile heads read: z, the
// Z values before any ZOut projection (in a merged model, every member's
// z side by side).
func (w *Weights) HeadInput(ids []int64) []float32 {
	s := w.Spec
	x := w.Features(ids)
	h := affine(x, w.W1, w.B1, s.Hidden)
	for i, v := range h {
		h[i] = max(v, 0)
	}
	return affine(h, w.W2, w.B2, s.Z)
}

// Forward runs the model on one prompt's token ids and returns the quality
// probability and expected output tokens per profile, and the embedding
// output (z, or z·ZOut).
func (w *Weights) Forward(ids []int64) (quality, outputTokens, z []float32) {
	s := w.Spec
	z = w.HeadInput(ids)
	q := affine(z, w.QW, w.QB, s.Profiles)
	l := affine(z, w.LW, w.LB, s.Profiles)
	for m := range q {
		q[m] = float32(1 / (1 + math.Exp(-float64(q[m]))))
		l[m] = float32(math.Exp(float64(l[m])))
	}
	if w.ZOut != nil {
		z = affine(z, w.ZOut, nil, len(w.ZOut)/s.Z)
	}
	return q, l, z
}

// affine computes x·W + b for W of shape len(x) x out.
func affine(x, W, b []float32, out int) []float32 {
	y := make([]float32, out)
	copy(y, b)
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := W[i*out : (i+1)*out]
		for j, wij := range row {
			y[j] += xi * wij
		}
	}
	return y
}
