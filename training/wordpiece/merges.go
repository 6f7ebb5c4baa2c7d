package wordpiece

import (
	"container/heap"
	"sort"
	"strings"
)

// learnMerges is a byte-pair-encoding merge learner over word counts whose
// words are already split into symbols: it repeatedly joins the most
// frequent adjacent pair until the vocabulary holds vocabSize symbols or no
// pair occurs minFreq times. Ties go to the pair whose joined string sorts
// first, so the result depends only on the counts.
//
// Symbols after a word's first carry the "##" continuation prefix, so a
// learned token is a word start or a "##" piece, as WordPiece needs.
func learnMerges(words [][]string, counts []int, vocabSize, minFreq int) []string {
	ids := map[string]int32{}
	var names []string
	intern := func(s string) int32 {
		if id, ok := ids[s]; ok {
			return id
		}
		ids[s] = int32(len(names))
		names = append(names, s)
		return ids[s]
	}
	// Alphabet first, in sorted order, so ids are deterministic.
	var alphabet []string
	seen := map[string]bool{}
	for _, w := range words {
		for _, s := range w {
			if !seen[s] {
				seen[s] = true
				alphabet = append(alphabet, s)
			}
		}
	}
	sort.Strings(alphabet)
	for _, s := range alphabet {
		intern(s)
	}
	syms := make([][]int32, len(words))
	for i, w := range words {
		syms[i] = make([]int32, len(w))
		for j, s := range w {
			syms[i][j] = ids[s]
		}
	}
	type pair [2]int32
	pc := map[pair]int{}
	where := map[pair]map[int]struct{}{}
	addPair := func(p pair, wi, c int) {
		pc[p] += c
		if c > 0 {
			if where[p] == nil {
				where[p] = map[int]struct{}{}
			}
			where[p][wi] = struct{}{}
		}
	}
	for wi, w := range syms {
		for j := 0; j+1 < len(w); j++ {
			addPair(pair{w[j], w[j+1]}, wi, counts[wi])
		}
	}
	h := &mergeHeap{}
	joined := func(p pair) string { return names[p[0]] + strings.TrimPrefix(names[p[1]], continuation) }
	for p, c := range pc {
		heap.Push(h, mergeItem{p: p, count: c, key: joined(p)})
	}
	for len(names) < vocabSize && h.Len() > 0 {
		top := heap.Pop(h).(mergeItem)
		p := pair(top.p)
		if cur := pc[p]; cur != top.count {
			if cur > 0 {
				top.count = cur
				heap.Push(h, top)
			}
			continue
		}
		if top.count < minFreq {
			break
		}
		if _, dup := ids[top.key]; dup {
			// The same string was already formed by another pair; joining
			// this one too changes no vocabulary, only segmentation.
			delete(pc, p)
			continue
		}
		nid := intern(top.key)
		wis := make([]int, 0, len(where[p]))
		for wi := range where[p] {
			wis = append(wis, wi)
		}
		sort.Ints(wis)
		changed := map[pair]bool{}
		for _, wi := range wis {
			w, c := syms[wi], counts[wi]
			for j := 0; j+1 < len(w); j++ {
				addPair(pair{w[j], w[j+1]}, wi, -c)
			}
			out := make([]int32, 0, len(w))
			for j := 0; j < len(w); j++ {
				if j+1 < len(w) && w[j] == p[0] && w[j+1] == p[1] {
					out = append(out, nid)
					j++
					continue
				}
				out = append(out, w[j])
			}
			syms[wi] = out
			for j := 0; j+1 < len(out); j++ {
				q := pair{out[j], out[j+1]}
				addPair(q, wi, c)
				if out[j] == nid || out[j+1] == nid {
					changed[q] = true
				}
			}
		}
		delete(pc, p)
		delete(where, p)
		// Push the pairs the merge created; pairs whose counts fell are
		// corrected lazily when they reach the top.
		qs := make([]pair, 0, len(changed))
		for q := range changed {
			qs = append(qs, q)
		}
		for _, q := range qs {
			heap.Push(h, mergeItem{p: q, count: pc[q], key: joined(q)})
		}
	}
	return names
}

type mergeItem struct {
	p     [2]int32
	count int
	key   string
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].key < h[j].key
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
