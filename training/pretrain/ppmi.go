// Package pretrain learns token vectors without labels, from how tokens
// co-occur in text (training prompts and model answers): positive
// pointwise mutual information of (token, context token) counts in a
// window, factorised by a truncated SVD. The router model starts its token
// embeddings from them, so a token seen in few labelled prompts still sits
// near tokens used the same way, and fewer labels are needed to learn what
// a prompt is about.
package pretrain

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Options are the co-occurrence and factorisation settings.
type Options struct {
	Window   int     // context tokens on each side
	Contexts int     // context vocabulary: the most frequent token ids (0: all)
	Dim      int     // vector size
	Alpha    float64 // context-distribution smoothing exponent (0.75 in Levy et al. 2015)
	Iters    int     // power iterations of the randomised SVD
	Seed     uint64
}

// DefaultOptions are the shipped model's settings.
var DefaultOptions = Options{Window: 4, Contexts: 4096, Dim: 64, Alpha: 0.75, Iters: 4, Seed: 1}

// Vectors returns a vocab x opt.Dim row-major table of token vectors from
// docs (token id sequences; ids outside [0, vocab) are an error). Row i is
// U_i·sqrt(S) of the PPMI matrix's truncated SVD; tokens never seen get
// zero rows.
func Vectors(docs [][]int64, vocab int, opt Options) ([]float64, error) {
	if vocab <= 0 || opt.Dim <= 0 || opt.Window <= 0 || opt.Iters < 0 {
		return nil, fmt.Errorf("pretrain: vocab %d, dim %d, window %d, iters %d: want positive sizes", vocab, opt.Dim, opt.Window, opt.Iters)
	}
	m, err := ppmi(docs, vocab, opt)
	if err != nil {
		return nil, err
	}
	return m.factor(opt.Dim, opt.Iters, opt.Seed), nil
}

// csr is a sparse rows x cols matrix.
type csr struct {
	rows, cols int
	start      []int // len rows+1
	col        []int32
	val        []float64
}

// ppmi counts (token, context) pairs within the window, weighted 1/distance,
// and keeps max(0, log(P(w,c) / (P(w) P_alpha(c)))).
func ppmi(docs [][]int64, vocab int, opt Options) (*csr, error) {
	freq := make([]float64, vocab)
	for d, doc := range docs {
		for _, id := range doc {
			if id < 0 || int(id) >= vocab {
				return nil, fmt.Errorf("pretrain: document %d has token id %d outside [0, %d)", d, id, vocab)
			}
			freq[id]++
		}
	}
	// Context ids: the most frequent tokens, in a fixed order.
	order := make([]int, vocab)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return freq[order[a]] > freq[order[b]] })
	nctx := vocab
	if opt.Contexts > 0 {
		nctx = min(opt.Contexts, vocab)
	}
	ctxOf := make([]int32, vocab)
	for i := range ctxOf {
		ctxOf[i] = -1
	}
	for k, id := range order[:nctx] {
		if freq[id] > 0 {
			ctxOf[id] = int32(k)
		}
	}
	// Dense counts: vocab x nctx float32 (8192 x 4096 = 128 MiB at most).
	counts := make([]float32, vocab*nctx)
	for _, doc := range docs {
		for t, w := range doc {
			row := counts[int(w)*nctx : int(w+1)*nctx]
			for d := 1; d <= opt.Window; d++ {
				wt := float32(1 / float64(d))
				if t-d >= 0 {
					if c := ctxOf[doc[t-d]]; c >= 0 {
						row[c] += wt
					}
				}
				if t+d < len(doc) {
					if c := ctxOf[doc[t+d]]; c >= 0 {
						row[c] += wt
					}
				}
			}
		}
	}
	rowSum, colSum, total := make([]float64, vocab), make([]float64, nctx), 0.0
	for w := range vocab {
		for c, v := range counts[w*nctx : (w+1)*nctx] {
			rowSum[w] += float64(v)
			colSum[c] += float64(v)
		}
		total += rowSum[w]
	}
	if total == 0 {
		return nil, errors.New("pretrain: no co-occurring tokens in the documents")
	}
	colP, colTotal := make([]float64, nctx), 0.0
	for c, v := range colSum {
		colP[c] = math.Pow(v, opt.Alpha)
		colTotal += colP[c]
	}
	m := &csr{rows: vocab, cols: nctx, start: make([]int, vocab+1)}
	for w := range vocab {
		for c, v := range counts[w*nctx : (w+1)*nctx] {
			if v == 0 {
				continue
			}
			pmi := math.Log(float64(v) / total / (rowSum[w] / total * colP[c] / colTotal))
			if pmi > 0 {
				m.col = append(m.col, int32(c))
				m.val = append(m.val, pmi)
			}
		}
		m.start[w+1] = len(m.val)
	}
	return m, nil
}

// mul returns m·x for x of m.cols x k (row-major).
func (m *csr) mul(x []float64, k int) []float64 {
	y := make([]float64, m.rows*k)
	for r := range m.rows {
		yr := y[r*k : (r+1)*k]
		for i := m.start[r]; i < m.start[r+1]; i++ {
			v, xr := m.val[i], x[int(m.col[i])*k:int(m.col[i]+1)*k]
			for j := range yr {
				yr[j] += v * xr[j]
			}
		}
	}
	return y
}

// tmul returns mᵀ·y for y of m.rows x k.
func (m *csr) tmul(y []float64, k int) []float64 {
	x := make([]float64, m.cols*k)
	for r := range m.rows {
		yr := y[r*k : (r+1)*k]
		for i := m.start[r]; i < m.start[r+1]; i++ {
			v, xr := m.val[i], x[int(m.col[i])*k:int(m.col[i]+1)*k]
			for j := range xr {
				xr[j] += v * yr[j]
			}
		}
	}
	return x
}
