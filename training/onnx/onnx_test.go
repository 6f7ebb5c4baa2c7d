package onnx

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/fit"
)

// randomWeights fills every parameter with uniform noise in [-scale, scale].
func randomWeights(s arch.Spec, seed uint64, scale float32) *arch.Weights {
	r := rand.New(rand.NewPCG(seed, 1))
	w := arch.NewWeights(s)
	for _, t := range [][]float32{w.Emb, w.W1, w.B1, w.W2, w.B2, w.QW, w.QB, w.LW, w.LB} {
		for i := range t {
			t[i] = (2*r.Float32() - 1) * scale
		}
	}
	return w
}

func encode(t testing.TB, w *arch.Weights) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, w))
	return buf.Bytes()
}

// pools are the poolings every parity test runs with.
var pools = []string{arch.PoolMean, arch.PoolMeanMax}

func TestReadGivesBackWrittenWeights(t *testing.T) {
	for _, pool := range pools {
		s := arch.Spec{Vocab: 30, Buckets: 17, Dim: 4, Hidden: 5, Z: 3, Profiles: 2, MaxLen: 12, Pool: pool}
		w := randomWeights(s, 7, 1)
		got, err := Read(encode(t, w))
		require.NoError(t, err)
		require.Equal(t, w, got)
	}
}

// Only a model with the max block says so in its metadata: a mean-only
// file is byte for byte what it was before pooling had a choice.
func TestOnlyAMeanMaxModelDeclaresItsPool(t *testing.T) {
	s := arch.Spec{Vocab: 30, Buckets: 17, Dim: 4, Hidden: 5, Z: 3, Profiles: 2, MaxLen: 12}
	require.NotContains(t, string(encode(t, randomWeights(s, 1, 1))), metaPool)
	s.Pool = arch.PoolMeanMax
	_, meta, err := readModel(encode(t, randomWeights(s, 1, 1)))
	require.NoError(t, err)
	require.Equal(t, arch.PoolMeanMax, meta.pool)
}

func TestReadRejectsAPoolItsFirstLayerDoesNotFit(t *testing.T) {
	s := arch.Spec{Vocab: 30, Buckets: 17, Dim: 4, Hidden: 5, Z: 3, Profiles: 2, MaxLen: 12, Pool: arch.PoolMeanMax}
	model := encode(t, randomWeights(s, 1, 1))
	// The same file with its pool metadata renamed reads as mean-only,
	// whose W1 has Dim fewer rows.
	renamed := bytes.Replace(model, []byte(metaPool), []byte("poo1"), 1)
	_, err := Read(renamed)
	require.ErrorContains(t, err, "w1")
	unknown := bytes.Replace(model, []byte(arch.PoolMeanMax), []byte("mean+min"), 1)
	_, err = Read(unknown)
	require.ErrorContains(t, err, "unknown pool")
}

func TestWriteRejectsBadWeights(t *testing.T) {
	w := arch.NewWeights(arch.Spec{Vocab: 4, Buckets: 3, Dim: 2, Hidden: 2, Z: 1, Profiles: 2, MaxLen: 8})
	w.LB = nil
	require.ErrorContains(t, Write(&bytes.Buffer{}, w), "lb")
	require.Error(t, Write(&bytes.Buffer{}, nil))
}

func TestReadRejectsForeignFiles(t *testing.T) {
	_, err := Read([]byte("not a protobuf \xff\xff\xff"))
	require.Error(t, err)
	_, err = Read(nil)
	require.ErrorContains(t, err, "no graph")
}

// session opens the model in ONNX Runtime, skipping when the library is missing.
func session(t testing.TB, model []byte) *ort.DynamicAdvancedSession {
	t.Helper()
	classifiertest.RequireRuntime(t)
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model,
		[]string{InputIDs, AttentionMask}, []string{Quality, OutputTokens, Embedding}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Destroy() })
	return s
}

// runPadded runs a right-padded batch and returns the three outputs, row-major.
func runPadded(t testing.TB, s *ort.DynamicAdvancedSession, rows [][]int64) (q, l, z []float32) {
	t.Helper()
	seq := 1 // an all-empty batch still needs one (masked) position
	for _, r := range rows {
		seq = max(seq, len(r))
	}
	ids := make([]int64, len(rows)*seq)
	mask := make([]int64, len(rows)*seq)
	for b, r := range rows {
		copy(ids[b*seq:], r)
		for i := range r {
			mask[b*seq+i] = 1
		}
	}
	shape := ort.NewShape(int64(len(rows)), int64(seq))
	idT, err := ort.NewTensor(shape, ids)
	require.NoError(t, err)
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, mask)
	require.NoError(t, err)
	defer maskT.Destroy()
	outs := []ort.Value{nil, nil, nil}
	require.NoError(t, s.Run([]ort.Value{idT, maskT}, outs))
	defer func() {
		for _, o := range outs {
			o.Destroy()
		}
	}()
	get := func(v ort.Value) []float32 {
		return append([]float32(nil), v.(*ort.Tensor[float32]).GetData()...)
	}
	return get(outs[0]), get(outs[1]), get(outs[2])
}

// requireParity checks ORT's batched outputs against arch.Forward row by
// row: absolute difference < 1e-4 (relative for output_tokens, which are
// exponentials and reach the hundreds).
func requireParity(t *testing.T, w *arch.Weights, s *ort.DynamicAdvancedSession, rows [][]int64) float64 {
	t.Helper()
	q, l, z := runPadded(t, s, rows)
	M, Z := w.Spec.Profiles, w.Spec.Z
	if w.ZOut != nil {
		Z = len(w.ZOut) / w.Spec.Z
	}
	require.Len(t, q, len(rows)*M)
	require.Len(t, z, len(rows)*Z)
	worst := 0.0
	for b, r := range rows {
		wq, wl, wz := w.Forward(r)
		for m := range M {
			dq := math.Abs(float64(q[b*M+m] - wq[m]))
			dl := math.Abs(float64(l[b*M+m]-wl[m])) / math.Max(1, math.Abs(float64(wl[m])))
			require.Lessf(t, dq, 1e-4, "row %d (len %d) quality[%d]: ort %v, go %v", b, len(r), m, q[b*M+m], wq[m])
			require.Lessf(t, dl, 1e-4, "row %d (len %d) output_tokens[%d]: ort %v, go %v", b, len(r), m, l[b*M+m], wl[m])
			worst = max(worst, dq, dl)
		}
		for j := range Z {
			dz := math.Abs(float64(z[b*Z+j] - wz[j]))
			require.Lessf(t, dz, 1e-4, "row %d (len %d) embedding[%d]: ort %v, go %v", b, len(r), j, z[b*Z+j], wz[j])
			worst = max(worst, dz)
		}
	}
	return worst
}

func TestRandomWeightsMatchForward(t *testing.T) {
	for _, pool := range pools {
		t.Run("pool="+pool, func(t *testing.T) { testRandomWeightsMatchForward(t, pool) })
	}
}

func testRandomWeightsMatchForward(t *testing.T, pool string) {
	s := arch.Spec{Vocab: 200, Buckets: 97, Dim: 16, Hidden: 24, Z: 8, Profiles: 5, MaxLen: 64, Pool: pool}
	w := randomWeights(s, 1, 0.5)
	sess := session(t, encode(t, w))
	r := rand.New(rand.NewPCG(2, 3))
	randomRow := func(n int) []int64 {
		row := make([]int64, n)
		for i := range row {
			row[i] = 1 + r.Int64N(int64(s.Vocab-1)) // 0 is padding
		}
		return row
	}
	cases := []struct {
		name string
		lens []int
	}{
		{"one prompt of one token", []int{1}},
		{"one-token prompts only", []int{1, 1, 1}},
		{"mixed lengths with padding", []int{1, 2, 7, 30, 64, 3}},
		{"equal lengths, no padding", []int{10, 10, 10, 10}},
		{"large batch", func() []int {
			l := make([]int, 64)
			for i := range l {
				l[i] = 1 + r.IntN(s.MaxLen)
			}
			return l
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([][]int64, len(tc.lens))
			for i, n := range tc.lens {
				rows[i] = randomRow(n)
			}
			requireParity(t, w, sess, rows)
		})
	}
	t.Run("ids that use every pair bucket and the last vocab row", func(t *testing.T) {
		row := []int64{int64(s.Vocab - 1), int64(s.Vocab - 1), 1, int64(s.Vocab - 1)}
		requireParity(t, w, sess, [][]int64{row, {int64(s.Vocab - 1)}})
	})
}

// The contract: IR version 8, default-domain opset 17, and the graph's
// inputs and outputs under their contract names.
func TestModelDeclaresVersionsAndNames(t *testing.T) {
	model := encode(t, randomWeights(arch.Spec{Vocab: 10, Buckets: 7, Dim: 2, Hidden: 3, Z: 2, Profiles: 2, MaxLen: 4}, 1, 1))
	var ir, opset int64 = -1, -1
	var graph []byte
	require.NoError(t, fields(model, func(num protowire.Number, _ protowire.Type, v []byte, x uint64) error {
		switch num {
		case modelIRVersion:
			ir = int64(x)
		case modelOpsetImport:
			return fields(v, func(n protowire.Number, _ protowire.Type, _ []byte, x uint64) error {
				if n == opsetVersion {
					opset = int64(x)
				}
				return nil
			})
		case modelGraph:
			graph = v
		}
		return nil
	}))
	require.EqualValues(t, IRVersion, ir)
	require.EqualValues(t, Opset, opset)
	require.Equal(t, int64(8), ir)
	require.Equal(t, int64(17), opset)

	var inputs, outputs []string
	name := func(v []byte) (s string) {
		_ = fields(v, func(n protowire.Number, _ protowire.Type, b []byte, _ uint64) error {
			if n == valueInfoName {
				s = string(b)
			}
			return nil
		})
		return s
	}
	require.NoError(t, fields(graph, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case graphInput:
			inputs = append(inputs, name(v))
		case graphOutput:
			outputs = append(outputs, name(v))
		}
		return nil
	}))
	require.Equal(t, []string{"input_ids", "attention_mask"}, inputs)
	require.Equal(t, []string{"quality", "output_tokens", "embedding"}, outputs)
}

// An int8 table: the file stores emb_q (int8) and emb_scale instead of a
// float32 table, is about a quarter of the size, reads back to the same
// weights, and ONNX Runtime matches Forward on the dequantized table; a
// z projection (ZOut) sets the embedding output's width.
func TestQuantizedTableRoundTripsAndMatchesForward(t *testing.T) {
	for _, pool := range pools {
		t.Run("pool="+pool, func(t *testing.T) { testQuantizedTableRoundTripsAndMatchesForward(t, pool) })
	}
}

func testQuantizedTableRoundTripsAndMatchesForward(t *testing.T, pool string) {
	s := arch.Spec{Vocab: 200, Buckets: 97, Dim: 16, Hidden: 24, Z: 8, Profiles: 5, MaxLen: 64, Pool: pool}
	w := randomWeights(s, 4, 0.5)
	plain := encode(t, w)
	w.QuantizeEmb()
	w.ZOut = make([]float32, s.Z*3) // an embedding output of 3 values
	for i := range w.ZOut {
		w.ZOut[i] = float32(i%5) - 2
	}
	model := encode(t, w)
	// int8 instead of float32: at least 2 of every table value's 4 bytes
	// saved (the rest pays for the row scales), whatever the other layers.
	saved := len(plain) + 4*len(w.ZOut) - len(model)
	require.GreaterOrEqual(t, saved, 2*len(w.Emb))
	graph, _, err := readModel(model)
	require.NoError(t, err)
	inits, err := readInitializers(graph)
	require.NoError(t, err)
	require.NotContains(t, inits, nameEmb)
	require.EqualValues(t, dtInt8, inits[nameEmbQ].dataType)

	got, err := Read(model)
	require.NoError(t, err)
	require.Equal(t, w, got)

	sess := session(t, model)
	r := rand.New(rand.NewPCG(5, 6))
	var rows [][]int64
	for _, n := range []int{1, 2, 9, 64, 33, 1} {
		row := make([]int64, n)
		for i := range row {
			row[i] = 1 + r.Int64N(int64(s.Vocab-1))
		}
		rows = append(rows, row)
	}
	requireParity(t, w, sess, rows)
}

// Padding must never win the max: here every real row is negative and the
// padding row (id 0) is far above them, so a masked-to-zero or unmasked
// max would show. One-token rows have no pairs at all; an empty row has
// no tokens (zeros, as in Forward).
func TestPaddingNeverWinsTheMax(t *testing.T) {
	for _, quantized := range []bool{false, true} {
		s := arch.Spec{Vocab: 50, Buckets: 23, Dim: 8, Hidden: 12, Z: 4, Profiles: 3, MaxLen: 16, Pool: arch.PoolMeanMax}
		w := randomWeights(s, 9, 0.5)
		for i := range w.Emb {
			w.Emb[i] = -1 - float32(i%7)/10
		}
		for j := range s.Dim {
			w.Emb[j] = 100 // row 0, the padding id
		}
		if quantized {
			w.QuantizeEmb()
		}
		sess := session(t, encode(t, w))
		rows := [][]int64{{5}, {7, 8, 9, 10, 11, 12}, {3, 3}, {}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
		requireParity(t, w, sess, rows)
		requireParity(t, w, sess, [][]int64{{42}}) // seq 1: no pair position at all
	}
}

// A merged mean+max ensemble (fit.Merge places each member's max block
// next to the others') runs in ONNX Runtime as its Go forward pass does,
// int8 table and mean-z output included.
func TestMergedMeanMaxModelMatchesForward(t *testing.T) {
	s := arch.Spec{Vocab: 120, Buckets: 61, Dim: 8, Hidden: 12, Z: 4, Profiles: 3, MaxLen: 32, Pool: arch.PoolMeanMax}
	var members []*fit.Params
	for seed := range uint64(2) {
		p, err := fit.NewParams(s, 1, rand.New(rand.NewPCG(seed, 3)))
		require.NoError(t, err)
		members = append(members, p)
	}
	merged, err := fit.Merge(members)
	require.NoError(t, err)
	merged.QuantizeEmb()
	w := merged.Weights(0)
	require.Equal(t, 2*2*s.Dim+1, len(w.W1)/w.Spec.Hidden, "W1 has the K members' mean and max blocks and the log length")
	sess := session(t, encode(t, w))
	r := rand.New(rand.NewPCG(4, 4))
	var rows [][]int64
	for _, n := range []int{1, 5, 32, 17} {
		row := make([]int64, n)
		for i := range row {
			row[i] = 1 + r.Int64N(int64(s.Vocab-1))
		}
		rows = append(rows, row)
	}
	requireParity(t, w, sess, rows)
	for _, row := range rows {
		want, _, _ := merged.Predict(row, 0)
		got, _, _ := w.Forward(row)
		for m := range got {
			require.InDelta(t, 1/(1+math.Exp(-want[m])), float64(got[m]), 1e-5)
		}
	}
}
