package fit

import (
	"errors"
	"fmt"
	"math"

	"github.com/modelrouter/modelrouter/training/arch"
)

// ProfileExample is one labelled answer of a profile being added: the
// prompt's token ids (truncated as for training), the answer's score in
// [0,1] (NaN when only the length is known) and its output tokens (0 when
// unknown).
type ProfileExample struct {
	IDs          []int64
	Score        float64
	OutputTokens float64
}

// AddOptions tune FitColumn.
type AddOptions struct {
	// Prior is the ridge strength pulling the new column towards the mean
	// of the existing profiles' columns, per example: with few labels the
	// new profile looks like an average one.
	Prior float64
	// Shift is how many logits the examples' scores sit above the model's
	// scale (another source's scores): the average column the fit is
	// pulled towards is moved by it, so the pull keeps the data's scale.
	Shift float64
}

// DefaultAddOptions suit a few hundred labelled answers.
var DefaultAddOptions = AddOptions{Prior: 1.0}

// A profile is added from labelled answers while every other parameter
// stays fixed: HeadInputs reads the prompts with the existing model (its
// representation z), FitColumn fits the new quality column (a logistic
// regression of the scores on z) and length column (a ridge regression of
// log output tokens on z), both shrunk towards the mean existing column,
// and AppendColumn adds them as the last profile; the other profiles'
// outputs are unchanged. Callers may adjust the column in between
// (add-profile moves it onto the model's scale and scales its lengths).

// HeadInputs reads every example's prompt with the model.
func HeadInputs(w *arch.Weights, examples []ProfileExample) ([]ColumnExample, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	s := w.Spec
	zs := make([]ColumnExample, len(examples))
	for i, ex := range examples {
		if len(ex.IDs) == 0 {
			return nil, fmt.Errorf("fit: example %d has no tokens", i)
		}
		for _, id := range ex.IDs {
			if id < 0 || id >= int64(s.Vocab) {
				return nil, fmt.Errorf("fit: example %d has token id %d outside the vocabulary of %d", i, id, s.Vocab)
			}
		}
		zs[i] = ColumnExample{Z: w.HeadInput(ex.IDs), Score: ex.Score, OutputTokens: ex.OutputTokens}
	}
	return zs, nil
}

// ColumnExample is a ProfileExample read by the model: the head input z
// of its prompt (HeadInput, not Forward's z, which a merged model
// projects) in place of its token ids.
type ColumnExample struct {
	Z            []float32
	Score        float64
	OutputTokens float64
}

// Column is a profile's quality and length columns over the head input,
// bias last.
type Column struct {
	Quality, Length []float64
}

// Predict is what the column says of a prompt with head input z: the
// quality probability and the expected output tokens.
func (c Column) Predict(z []float32) (quality, outputTokens float64) {
	q, l := c.Logits(z)
	return sigmoid(q), math.Exp(l)
}

// Logits are the column's raw outputs on head input z: the quality logit
// and the log of the expected output tokens.
func (c Column) Logits(z []float32) (quality, logTokens float64) {
	q, l := c.Quality[len(z)], c.Length[len(z)]
	for k, v := range z {
		q += float64(v) * c.Quality[k]
		l += float64(v) * c.Length[k]
	}
	return q, l
}

// FitColumn fits a new profile's columns from examples whose head inputs
// are already computed (HeadInputs), so a caller fitting many columns on
// the same prompts (eval's cross-fitted profiles) runs the model once per
// prompt.
func FitColumn(w *arch.Weights, examples []ColumnExample, opt AddOptions) (Column, error) {
	s := w.Spec
	var scores, zsLen [][]float64
	var ys, logLens []float64
	for i, ex := range examples {
		if len(ex.Z) != s.Z {
			return Column{}, fmt.Errorf("fit: example %d has a head input of %d values, want %d", i, len(ex.Z), s.Z)
		}
		hasScore := !math.IsNaN(ex.Score)
		if hasScore && (ex.Score < 0 || ex.Score > 1) {
			return Column{}, fmt.Errorf("fit: example %d has score %g outside [0,1]", i, ex.Score)
		}
		z := make([]float64, s.Z+1)
		for k, v := range ex.Z {
			z[k] = float64(v)
		}
		z[s.Z] = 1 // bias
		if hasScore {
			scores = append(scores, z)
			ys = append(ys, ex.Score)
		}
		if ex.OutputTokens > 0 {
			zsLen = append(zsLen, z)
			logLens = append(logLens, math.Log(ex.OutputTokens))
		}
	}
	if len(scores) == 0 {
		return Column{}, errors.New("fit: a new profile needs examples with quality scores")
	}
	prior := max(opt.Prior, 1e-6)
	qMean, lMean := meanColumn(w.QW, w.QB, s), meanColumn(w.LW, w.LB, s)
	qMean[s.Z] += opt.Shift
	q, err := fitLogistic(scores, ys, qMean, prior)
	if err != nil {
		return Column{}, err
	}
	l := lMean
	if len(zsLen) > 0 {
		if l, err = fitRidge(zsLen, logLens, lMean, prior); err != nil {
			return Column{}, err
		}
	}
	return Column{Quality: q, Length: l}, nil
}

// meanColumn is the mean of a head's columns with the bias last.
func meanColumn(W, b []float32, s arch.Spec) []float64 {
	out := make([]float64, s.Z+1)
	for k := range s.Z {
		for m := range s.Profiles {
			out[k] += float64(W[k*s.Profiles+m])
		}
		out[k] /= float64(s.Profiles)
	}
	for _, v := range b {
		out[s.Z] += float64(v)
	}
	out[s.Z] /= float64(s.Profiles)
	return out
}

// fitLogistic minimises sum BCE(sigmoid(x·θ), y) + prior·n/2·|θ-θ0|² by
// Newton's method (the problem is convex and small) with a backtracking
// line search: from a start far from the answer, where every p is near 0
// or 1 and the Hessian is little more than the ridge, a full Newton step
// overshoots and can run away.
func fitLogistic(xs [][]float64, ys, theta0 []float64, prior float64) ([]float64, error) {
	d := len(theta0)
	theta := append([]float64(nil), theta0...)
	lambda := prior * float64(len(xs)) / 100 // a hundred answers weigh as much as the prior
	objective := func(th []float64) float64 {
		f := 0.0
		for n, x := range xs {
			f += bce(dot(x, th), ys[n])
		}
		for i := range th {
			f += lambda / 2 * (th[i] - theta0[i]) * (th[i] - theta0[i])
		}
		return f
	}
	f := objective(theta)
	next := make([]float64, d)
	for range 100 {
		g := make([]float64, d)
		h := make([][]float64, d)
		for i := range h {
			h[i] = make([]float64, d)
			h[i][i] = lambda
			g[i] = lambda * (theta[i] - theta0[i])
		}
		for n, x := range xs {
			p := sigmoid(dot(x, theta))
			r, wgt := p-ys[n], p*(1-p)
			for i := range d {
				g[i] += r * x[i]
				for j := range d {
					h[i][j] += wgt * x[i] * x[j]
				}
			}
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, err
		}
		decrease := dot(g, step) // > 0: h is positive definite
		t := 1.0
		for {
			for i := range d {
				next[i] = theta[i] - t*step[i]
			}
			fn := objective(next)
			if fn <= f-1e-4*t*decrease || t < 1e-10 {
				f = fn
				break
			}
			t /= 2
		}
		copy(theta, next)
		if t*maxAbs(step) < 1e-9 {
			break
		}
	}
	return theta, nil
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// fitRidge solves min |Xθ - y|² + λ|θ-θ0|² in closed form.
func fitRidge(xs [][]float64, ys, theta0 []float64, prior float64) ([]float64, error) {
	d := len(theta0)
	lambda := prior * float64(len(xs)) / 100
	a := make([][]float64, d)
	b := make([]float64, d)
	for i := range a {
		a[i] = make([]float64, d)
		a[i][i] = lambda
		b[i] = lambda * theta0[i]
	}
	for n, x := range xs {
		for i := range d {
			b[i] += x[i] * ys[n]
			for j := range d {
				a[i][j] += x[i] * x[j]
			}
		}
	}
	return solve(a, b)
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, errors.New("fit: singular system while fitting the new profile")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := m[i][n]
		for k := i + 1; k < n; k++ {
			s -= m[i][k] * x[k]
		}
		x[i] = s / m[i][i]
	}
	return x, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// ProfileColumn is existing profile m's columns: what AppendColumn would
// have appended for it.
func ProfileColumn(w *arch.Weights, m int) Column {
	s := w.Spec
	c := Column{Quality: make([]float64, s.Z+1), Length: make([]float64, s.Z+1)}
	for k := range s.Z {
		c.Quality[k] = float64(w.QW[k*s.Profiles+m])
		c.Length[k] = float64(w.LW[k*s.Profiles+m])
	}
	c.Quality[s.Z], c.Length[s.Z] = float64(w.QB[m]), float64(w.LB[m])
	return c
}

// AppendColumn copies w with the column as its profile M (the last).
func AppendColumn(w *arch.Weights, c Column) *arch.Weights {
	q, l := c.Quality, c.Length
	s := w.Spec
	ns := s
	ns.Profiles++
	out := arch.NewWeights(ns)
	copy(out.Emb, w.Emb)
	if w.Quantized() {
		out.EmbQ, out.EmbScale = append([]int8(nil), w.EmbQ...), append([]float32(nil), w.EmbScale...)
	}
	copy(out.W1, w.W1)
	copy(out.B1, w.B1)
	copy(out.W2, w.W2)
	copy(out.B2, w.B2)
	for k := range s.Z {
		copy(out.QW[k*ns.Profiles:], w.QW[k*s.Profiles:(k+1)*s.Profiles])
		copy(out.LW[k*ns.Profiles:], w.LW[k*s.Profiles:(k+1)*s.Profiles])
		out.QW[k*ns.Profiles+s.Profiles] = float32(q[k])
		out.LW[k*ns.Profiles+s.Profiles] = float32(l[k])
	}
	copy(out.QB, w.QB)
	copy(out.LB, w.LB)
	out.QB[s.Profiles] = float32(q[s.Z])
	out.LB[s.Profiles] = float32(l[s.Z])
	if w.ZOut != nil {
		out.ZOut = append([]float32(nil), w.ZOut...)
	}
	return out
}
