package arch

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuantizeRowsKeepsEachRowWithinHalfAStep(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const dim = 8
	table := make([]float32, 5*dim)
	for i := range table {
		table[i] = float32(r.NormFloat64()) * float32(i/dim+1) // rows of growing range
	}
	clear(table[3*dim : 4*dim]) // an all-zero row
	q, scale := QuantizeRows(table, dim)
	require.Len(t, scale, 5)
	require.Zero(t, scale[3])
	back := DequantizeRows(q, scale, dim)
	for row := range 5 {
		top := 0.0
		for _, v := range table[row*dim : (row+1)*dim] {
			top = max(top, math.Abs(float64(v)))
		}
		for j := row * dim; j < (row+1)*dim; j++ {
			require.InDelta(t, table[j], back[j], top/QuantMax/2+1e-7, "row %d", row)
			require.LessOrEqual(t, math.Abs(float64(q[j])), float64(QuantMax))
		}
	}
}

func TestQuantizeEmbMakesForwardUseTheInt8Table(t *testing.T) {
	s := Spec{Vocab: 6, Buckets: 5, Dim: 4, Hidden: 3, Z: 2, Profiles: 2, MaxLen: 8}
	w := NewWeights(s)
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range [][]float32{w.Emb, w.W1, w.B1, w.W2, w.B2, w.QW, w.QB, w.LW, w.LB} {
		for i := range p {
			p[i] = float32(r.NormFloat64())
		}
	}
	before, _, _ := w.Forward([]int64{1, 2, 3})
	w.QuantizeEmb()
	require.True(t, w.Quantized())
	require.NoError(t, w.Validate())
	require.Equal(t, DequantizeRows(w.EmbQ, w.EmbScale, s.Dim), w.Emb)
	after, _, _ := w.Forward([]int64{1, 2, 3})
	require.InDeltaSlice(t, before, after, 0.05, "quantization moves predictions only slightly")

	w.Emb[5] += 0.5 // Emb no longer what the int8 table says
	require.ErrorContains(t, w.Validate(), "int8")
	w.QuantizeEmb()
	w.EmbScale = w.EmbScale[:2]
	require.ErrorContains(t, w.Validate(), "scales")
}
