package eval

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/modelrouter/modelrouter/router"
)

// The learned baseline: a TF-IDF k-nearest-neighbour router fitted on a
// train split of the same dataset. For each candidate it predicts the
// similarity-weighted mean score and answer length of the k most similar
// training prompts, shrunk toward the candidate's mean, and then routes
// with the same mode policy as the router model. It shows what the router
// model adds over word overlap with labelled prompts.

// KNN configures the baseline.
type KNN struct {
	K int // neighbours (default 20)
	// Prior is the weight, in units of cosine similarity, of the
	// candidate's mean in the shrunk estimate (default 1).
	Prior float64
	// QueryTerms caps the terms of a query vector, heaviest first, so a
	// long prompt does not walk every posting list (default 32).
	QueryTerms int
}

func (k KNN) withDefaults() KNN {
	if k.K <= 0 {
		k.K = 20
	}
	if k.Prior <= 0 {
		k.Prior = 1
	}
	if k.QueryTerms <= 0 {
		k.QueryTerms = 32
	}
	return k
}

// words splits text into lower-case runs of letters and digits, after
// NFKC as the router model's tokenizer reads it: full-width letters,
// ligatures and decomposed accents make the same words as their plain form.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFKC.String(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

type term struct {
	id int32
	w  float32
}

type posting struct {
	doc int32
	w   float32
}

// knnIndex is an inverted index of L2-normalised TF-IDF vectors.
type knnIndex struct {
	vocab    map[string]int32
	idf      []float32
	postings [][]posting
	docs     int
}

func newKNNIndex(texts []string) *knnIndex {
	x := &knnIndex{vocab: map[string]int32{}, docs: len(texts)}
	var df []int
	tokenized := make([][]string, len(texts))
	for i, s := range texts {
		tokenized[i] = words(s)
		seen := map[int32]bool{}
		for _, w := range tokenized[i] {
			id, ok := x.vocab[w]
			if !ok {
				id = int32(len(df))
				x.vocab[w] = id
				df = append(df, 0)
			}
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
		}
	}
	x.idf = make([]float32, len(df))
	for id, d := range df {
		x.idf[id] = float32(math.Log(float64(len(texts)+1)/float64(d+1)) + 1)
	}
	x.postings = make([][]posting, len(df))
	for doc, ws := range tokenized {
		for _, t := range x.vector(ws, 0) {
			x.postings[t.id] = append(x.postings[t.id], posting{doc: int32(doc), w: t.w})
		}
	}
	// Words in more than half of the prompts say little about which
	// prompts are alike and make every query walk most documents.
	for id, d := range df {
		if len(texts) >= 10 && 2*d > len(texts) {
			x.postings[id] = nil
		}
	}
	return x
}

// vector is the normalised TF-IDF vector of known words, keeping the
// heaviest maxTerms terms when maxTerms > 0.
func (x *knnIndex) vector(ws []string, maxTerms int) []term {
	tf := map[int32]float64{}
	for _, w := range ws {
		if id, ok := x.vocab[w]; ok {
			tf[id]++
		}
	}
	v := make([]term, 0, len(tf))
	for id := range tf {
		v = append(v, term{id: id})
	}
	// In word id order, not the map's, which changes from run to run: the
	// sums below, and the similarities the terms add up to in nearest, round
	// alike every run, so a near tie between two neighbours, and with it
	// the knn row of report.json, does not change between two evals.
	slices.SortFunc(v, func(a, b term) int { return cmp.Compare(a.id, b.id) })
	sumSq := 0.0
	for i, t := range v {
		w := (1 + math.Log(tf[t.id])) * float64(x.idf[t.id])
		sumSq += w * w
		v[i].w = float32(w)
	}
	if sumSq == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(sumSq))
	for i := range v {
		v[i].w *= inv
	}
	if maxTerms > 0 && len(v) > maxTerms {
		sort.SliceStable(v, func(i, j int) bool { return v[i].w > v[j].w })
		v = v[:maxTerms]
	}
	return v
}

type neighbour struct {
	doc int
	sim float64
}

// nearest returns up to k training documents most similar to text.
func (x *knnIndex) nearest(text string, k, maxTerms int, acc []float32, touched []int32) ([]neighbour, []int32) {
	touched = touched[:0]
	for _, t := range x.vector(words(text), maxTerms) {
		for _, p := range x.postings[t.id] {
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += t.w * p.w
		}
	}
	// Keep the k best in a small sorted slice: k is tiny next to the
	// number of documents a query touches.
	out := make([]neighbour, 0, k+1)
	better := func(a, b neighbour) bool { return a.sim > b.sim || (a.sim == b.sim && a.doc < b.doc) }
	for _, d := range touched {
		n := neighbour{doc: int(d), sim: float64(acc[d])}
		acc[d] = 0
		if len(out) == k && !better(n, out[k-1]) {
			continue
		}
		i := sort.Search(len(out), func(i int) bool { return better(n, out[i]) })
		out = append(out, neighbour{})
		copy(out[i+1:], out[i:])
		out[i] = n
		if len(out) > k {
			out = out[:k]
		}
	}
	return out, touched
}

// FitPredict fits the baseline on the train rows of t and predicts the
// test rows' estimates (an InDomain router).
func (k KNN) FitPredict(t *Table, train, test []int, est Estimates) error {
	k = k.withDefaults()
	texts := make([]string, len(train))
	nc := len(t.Candidates)
	meanQ, meanO := make([]float64, nc), make([]float64, nc)
	for i, r := range train {
		row := t.Rows[r]
		texts[i] = row.Item.Text()
		for j := range nc {
			meanQ[j] += row.Score[j]
			meanO[j] += row.OutputTokens[j]
		}
	}
	for j := range nc {
		meanQ[j] /= float64(max(len(train), 1))
		meanO[j] /= float64(max(len(train), 1))
	}
	x := newKNNIndex(texts)
	acc := make([]float32, len(train))
	var touched []int32
	for _, r := range test {
		row := t.Rows[r]
		var nb []neighbour
		nb, touched = x.nearest(row.Item.Text(), k.K, k.QueryTerms, acc, touched)
		q, c := make([]float64, nc), make([]float64, nc)
		for j, cand := range t.Candidates {
			sq, so, sw := k.Prior*meanQ[j], k.Prior*meanO[j], k.Prior
			for _, n := range nb {
				tr := t.Rows[train[n.doc]]
				sq += n.sim * tr.Score[j]
				so += n.sim * tr.OutputTokens[j]
				sw += n.sim
			}
			q[j] = sq / sw
			c[j] = router.ExpectedCost(cand.Model(), row.Item.InputTokens, so/sw)
		}
		est.Quality[r], est.Cost[r] = q, c
	}
	return nil
}
