// Package onnx writes the router model (training/arch) as an ONNX file that
// ONNX Runtime runs, and reads such a file back into arch.Weights.
//
// The graph computes arch.Forward for a right-padded batch:
//
//	inputs   input_ids, attention_mask: int64 [batch, seq]
//	outputs  quality, output_tokens: float32 [batch, profiles]; embedding: float32 [batch, z]
//
// Padding is neutralised by the mask: padded tokens and any pair touching a
// padded token are multiplied by zero before the sums, and the mean divides
// by the number of real tokens plus real pairs, so a padded row equals
// arch.Forward on the unpadded ids. With arch.PoolMeanMax the max block is
// a ReduceMax over the token and pair rows where padded rows are replaced
// by -inf first (Where), so they never win; a row without tokens gets 0,
// as in arch.Features.
package onnx

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelrouter/modelrouter/training/arch"
)

// IRVersion and Opset are the ONNX versions the file declares.
const (
	IRVersion = 8
	Opset     = 17
)

// Graph input and output names (the contract with the classifier).
const (
	InputIDs      = "input_ids"
	AttentionMask = "attention_mask"
	Quality       = "quality"
	OutputTokens  = "output_tokens"
	Embedding     = "embedding"
)

// Initializer names of the trained parameters, read back by Read.
const (
	nameEmb = "emb"
	// An int8 table (arch.Weights.QuantizeEmb) is stored as emb_q with one
	// float32 scale per row in emb_scale instead of emb.
	nameEmbQ     = "emb_q"
	nameEmbScale = "emb_scale"
	nameW1       = "w1"
	nameB1       = "b1"
	nameW2       = "w2"
	nameB2       = "b2"
	nameQW       = "qw"
	nameQB       = "qb"
	nameLW       = "lw"
	nameLB       = "lb"
	nameZOut     = "zout" // optional: embedding = z·zout
	nameVocab    = "vocab"
	nameBuckets  = "buckets"
	metaMaxLen   = "max_len"
	// metaPool is arch.Spec.Pool; written only when not the default, so a
	// mean-only file is what it was before pooling had a choice.
	metaPool = "pool"
)

// Metadata field numbers (ModelProto.metadata_props, StringStringEntryProto).
const (
	modelMetadataProps = 14
	entryKey           = 1
	entryValue         = 2
)

// Write encodes wts as an ONNX model into w.
func Write(w io.Writer, wts *arch.Weights) error {
	if wts == nil {
		return fmt.Errorf("onnx: no weights")
	}
	if err := wts.Validate(); err != nil {
		return fmt.Errorf("onnx: %w", err)
	}
	model := encodeModel(wts)
	if _, err := w.Write(model); err != nil {
		return fmt.Errorf("onnx: write: %w", err)
	}
	return nil
}

func encodeModel(wts *arch.Weights) []byte {
	graph := buildGraph(wts)
	var opset []byte
	opset = appendString(opset, opsetDomain, "")
	opset = appendInt(opset, opsetVersion, Opset)

	var meta []byte
	meta = appendString(meta, entryKey, metaMaxLen)
	meta = appendString(meta, entryValue, strconv.Itoa(wts.Spec.MaxLen))
	var pool []byte
	if wts.Spec.Pool != arch.PoolMean {
		pool = appendString(pool, entryKey, metaPool)
		pool = appendString(pool, entryValue, wts.Spec.Pool)
	}

	var m []byte
	m = appendInt(m, modelIRVersion, IRVersion)
	m = appendString(m, modelProducerName, "modelrouter")
	m = appendString(m, modelProducerVer, "1")
	m = appendString(m, modelDocString, "modelrouter router model: per-profile quality and output tokens from prompt token ids")
	m = appendMessage(m, modelOpsetImport, opset)
	m = appendMessage(m, modelMetadataProps, meta)
	if pool != nil {
		m = appendMessage(m, modelMetadataProps, pool)
	}
	m = protowire.AppendTag(m, modelGraph, protowire.BytesType)
	return protowire.AppendBytes(m, graph)
}

// graphBuilder collects nodes and initializers and names intermediate values.
type graphBuilder struct {
	nodes [][]byte
	inits [][]byte
	n     int
}

// op adds a node and returns its single output's name; out names the output
// explicitly (a graph output), otherwise a fresh name is made.
func (g *graphBuilder) op(opType, out string, inputs []string, attrs ...attribute) string {
	g.n++
	if out == "" {
		out = fmt.Sprintf("%s_%d", opType, g.n)
	}
	g.nodes = append(g.nodes, node(fmt.Sprintf("n%d_%s", g.n, opType), opType, inputs, []string{out}, attrs))
	return out
}

func (g *graphBuilder) floats(name string, data []float32, dims ...int64) string {
	g.inits = append(g.inits, floatTensor(name, dims, data))
	return name
}

func (g *graphBuilder) ints(name string, data []int64, dims ...int64) string {
	g.inits = append(g.inits, int64Tensor(name, dims, data))
	return name
}

func buildGraph(wts *arch.Weights) []byte {
	s := wts.Spec
	g := &graphBuilder{}
	D, H, Z, M := int64(s.Dim), int64(s.Hidden), int64(s.Z), int64(s.Profiles)

	rows := int64(s.Vocab + s.Buckets)
	var embQ, embScale, emb string
	if wts.Quantized() {
		g.inits = append(g.inits, int8Tensor(nameEmbQ, []int64{rows, D}, wts.EmbQ))
		embQ, embScale = nameEmbQ, g.floats(nameEmbScale, wts.EmbScale, rows)
	} else {
		emb = g.floats(nameEmb, wts.Emb, rows, D)
	}
	w1 := g.floats(nameW1, wts.W1, int64(s.Inputs()), H)
	b1 := g.floats(nameB1, wts.B1, H)
	w2 := g.floats(nameW2, wts.W2, H, Z)
	b2 := g.floats(nameB2, wts.B2, Z)
	qw := g.floats(nameQW, wts.QW, Z, M)
	qb := g.floats(nameQB, wts.QB, M)
	lw := g.floats(nameLW, wts.LW, Z, M)
	lb := g.floats(nameLB, wts.LB, M)
	vocab := g.ints(nameVocab, []int64{int64(s.Vocab)})
	buckets := g.ints(nameBuckets, []int64{int64(s.Buckets)})
	mul := g.ints("bigram_mul", []int64{arch.BigramMul})
	axis1 := g.ints("axis_1", []int64{1}, 1)
	axis2 := g.ints("axis_2", []int64{2}, 1)
	zero := g.ints("zero", []int64{0}, 1)
	one := g.ints("one", []int64{1}, 1)
	minusOne := g.ints("minus_one", []int64{-1}, 1)
	end := g.ints("end", []int64{math.MaxInt64}, 1)
	oneF := g.floats("one_f", []float32{1})

	// Slices along seq: a = x[:, :-1] (first of each pair), b = x[:, 1:].
	first := func(x string) string { return g.op("Slice", "", []string{x, zero, minusOne, axis1}) }
	second := func(x string) string { return g.op("Slice", "", []string{x, one, end, axis1}) }
	toFloat := func(x string) string { return g.op("Cast", "", []string{x}, attribute{name: "to", i: dtFloat}) }
	// maskedSum returns sum over seq of rows[b, t, :] * mask[b, t].
	maskedSum := func(rows, mask string) string {
		m3 := g.op("Unsqueeze", "", []string{mask, axis2})
		prod := g.op("Mul", "", []string{rows, m3})
		return g.op("ReduceSum", "", []string{prod, axis1}, attribute{name: "keepdims", i: 0})
	}
	count := func(mask string) string {
		return g.op("ReduceSum", "", []string{mask, axis1}, attribute{name: "keepdims", i: 1})
	}

	gather := func(table, ids string) string {
		return g.op("Gather", "", []string{table, ids}, attribute{name: "axis", i: 0})
	}
	// rowSum is sum over seq of table[ids[b, t], :] * mask[b, t]. With an
	// int8 table only the gathered rows are cast to float and the row
	// scale joins the mask, so ONNX Runtime never holds (or constant-folds)
	// a float32 copy of the table: value = float32(q) * (scale * mask),
	// which is float32(q) * scale, Forward's value, where mask is 1.
	rowSum := func(ids, mask string) string {
		if embQ == "" {
			return maskedSum(gather(emb, ids), mask)
		}
		// [batch, 1, seq] x [batch, seq, dim]: the weighted sum as one MatMul.
		weight := g.op("Unsqueeze", "", []string{g.op("Mul", "", []string{gather(embScale, ids), mask}), axis1})
		sum := g.op("MatMul", "", []string{weight, toFloat(gather(embQ, ids))})
		return g.op("Squeeze", "", []string{sum, axis1})
	}

	// Tokens.
	tokMask := toFloat(AttentionMask)
	var tokSum, pairSum string
	if !s.MaxPool() {
		tokSum = rowSum(InputIDs, tokMask)
	}

	// Pairs: row Vocab + (a*BigramMul + b) mod Buckets, real when both tokens are.
	hash := g.op("Mod", "", []string{g.op("Add", "", []string{g.op("Mul", "", []string{first(InputIDs), mul}), second(InputIDs)}), buckets})
	pairIDs := g.op("Add", "", []string{hash, vocab})
	pairMask := toFloat(g.op("Mul", "", []string{first(AttentionMask), second(AttentionMask)}))
	if !s.MaxPool() {
		pairSum = rowSum(pairIDs, pairMask)
	}

	// Mean over tokens and pairs (with the max block: from one gather of
	// both), then log(1 + tokens).
	nTok := count(tokMask)
	n := g.op("Max", "", []string{g.op("Add", "", []string{nTok, count(pairMask)}), oneF})
	var sum, top string
	if s.MaxPool() {
		ids := g.op("Concat", "", []string{InputIDs, pairIDs}, attribute{name: "axis", i: 1})
		mask := g.op("Concat", "", []string{tokMask, pairMask}, attribute{name: "axis", i: 1})
		// One gather serves both: the sum as rowSum computes it, and the
		// rows with Forward's values (float32(q) * scale for an int8 table).
		var rows string
		if embQ == "" {
			rows = gather(emb, ids)
			sum = maskedSum(rows, mask)
		} else {
			q, scale := toFloat(gather(embQ, ids)), gather(embScale, ids)
			weight := g.op("Unsqueeze", "", []string{g.op("Mul", "", []string{scale, mask}), axis1})
			sum = g.op("Squeeze", "", []string{g.op("MatMul", "", []string{weight, q}), axis1})
			rows = g.op("Mul", "", []string{q, g.op("Unsqueeze", "", []string{scale, axis2})})
		}
		top = maskedMax(g, rows, mask, nTok, axis2)
	} else {
		sum = g.op("Add", "", []string{tokSum, pairSum})
	}
	mean := g.op("Div", "", []string{sum, n})
	logLen := g.op("Log", "", []string{g.op("Add", "", []string{nTok, oneF})})
	features := []string{mean, logLen}
	if s.MaxPool() {
		features = []string{mean, top, logLen}
	}
	x := g.op("Concat", "", features, attribute{name: "axis", i: 1})

	// MLP and heads.
	affine := func(in, w, b, out string) string {
		return g.op("Add", out, []string{g.op("MatMul", "", []string{in, w}), b})
	}
	h := g.op("Relu", "", []string{affine(x, w1, b1, "")})
	var z string
	if wts.ZOut != nil {
		z = affine(h, w2, b2, "")
		zOut := g.floats(nameZOut, wts.ZOut, Z, int64(len(wts.ZOut))/Z)
		g.op("MatMul", Embedding, []string{z, zOut})
	} else {
		z = affine(h, w2, b2, Embedding)
	}
	g.op("Sigmoid", Quality, []string{affine(z, qw, qb, "")})
	g.op("Exp", OutputTokens, []string{affine(z, lw, lb, "")})

	batch, seq := dim{param: "batch"}, dim{param: "seq"}
	var b []byte
	for _, nd := range g.nodes {
		b = appendMessage(b, graphNode, nd)
	}
	b = appendString(b, graphName, "router")
	for _, t := range g.inits {
		b = appendMessage(b, graphInitializer, t)
	}
	b = appendMessage(b, graphInput, valueInfo(InputIDs, dtInt64, batch, seq))
	b = appendMessage(b, graphInput, valueInfo(AttentionMask, dtInt64, batch, seq))
	b = appendMessage(b, graphOutput, valueInfo(Quality, dtFloat, batch, dim{value: M}))
	b = appendMessage(b, graphOutput, valueInfo(OutputTokens, dtFloat, batch, dim{value: M}))
	embOut := Z
	if wts.ZOut != nil {
		embOut = int64(len(wts.ZOut)) / Z
	}
	b = appendMessage(b, graphOutput, valueInfo(Embedding, dtFloat, batch, dim{value: embOut}))
	return b
}

// maskedMax returns the elementwise max over seq of rows [batch, seq,
// dim] where mask [batch, seq] is 1. Padded rows become -inf before the
// max (Where), so they never win, and a prompt with no token at all gets
// 0, as in arch.Features.
func maskedMax(g *graphBuilder, rows, mask, nTok, axis2 string) string {
	zeroF := g.floats("zero_f", []float32{0})
	negInf := g.floats("minus_inf", []float32{float32(math.Inf(-1))})
	isReal := g.op("Unsqueeze", "", []string{g.op("Greater", "", []string{mask, zeroF}), axis2})
	masked := g.op("Where", "", []string{isReal, rows, negInf})
	top := g.op("ReduceMax", "", []string{masked}, attribute{name: "axes", ints: []int64{1}}, attribute{name: "keepdims", i: 0})
	return g.op("Where", "", []string{g.op("Greater", "", []string{nTok, zeroF}), top, zeroF})
}
