package arch

import (
	"fmt"
	"math"
)

// The embedding table is almost all of the model's bytes ((Vocab+Buckets)
// x Dim floats). It is shipped as int8 with one float32 scale per row:
// row r's value j is float32(EmbQ[r*Dim+j]) * EmbScale[r]. A row's scale is
// its largest absolute value / 127, so every row keeps 8 bits of its own
// range (rows differ a lot: frequent tokens grow, unseen buckets stay near
// their small initial draw).

// QuantMax is the largest int8 magnitude used (symmetric, -127..127).
const QuantMax = 127

// QuantizeRows quantizes a row-major table of rows of dim values to int8
// with a per-row scale.
func QuantizeRows(table []float32, dim int) (q []int8, scale []float32) {
	rows := len(table) / dim
	q, scale = make([]int8, len(table)), make([]float32, rows)
	for r := range rows {
		row := table[r*dim : (r+1)*dim]
		top := float32(0)
		for _, v := range row {
			top = max(top, float32(math.Abs(float64(v))))
		}
		if top == 0 {
			continue
		}
		s := top / QuantMax
		scale[r] = s
		for j, v := range row {
			k := math.Round(float64(v / s))
			q[r*dim+j] = int8(min(max(k, -QuantMax), QuantMax))
		}
	}
	return q, scale
}

// DequantizeRows is the float32 table the int8 one stands for, computed
// exactly as the ONNX graph does (one float32 multiply per value).
func DequantizeRows(q []int8, scale []float32, dim int) []float32 {
	out := make([]float32, len(q))
	for r, s := range scale {
		for j := r * dim; j < (r+1)*dim; j++ {
			out[j] = float32(q[j]) * s
		}
	}
	return out
}

// QuantizeEmb stores w's embedding table as int8 (EmbQ, EmbScale) and
// replaces Emb with its dequantized values, so Forward computes what the
// shipped model computes.
func (w *Weights) QuantizeEmb() {
	w.EmbQ, w.EmbScale = QuantizeRows(w.Emb, w.Spec.Dim)
	w.Emb = DequantizeRows(w.EmbQ, w.EmbScale, w.Spec.Dim)
}

// Quantized reports whether the embedding table is stored as int8.
func (w *Weights) Quantized() bool { return w.EmbQ != nil }

// validateQuant checks that a quantized table has its shapes and that Emb
// is exactly its dequantization (Forward and the ONNX graph must agree).
func (w *Weights) validateQuant() error {
	if w.EmbQ == nil && w.EmbScale == nil {
		return nil
	}
	s := w.Spec
	rows := s.Vocab + s.Buckets
	if len(w.EmbQ) != rows*s.Dim || len(w.EmbScale) != rows {
		return fmt.Errorf("arch: int8 embedding table has %d values and %d scales, want %d and %d", len(w.EmbQ), len(w.EmbScale), rows*s.Dim, rows)
	}
	for r, sc := range w.EmbScale {
		if math.IsNaN(float64(sc)) || math.IsInf(float64(sc), 0) || sc < 0 {
			return fmt.Errorf("arch: embedding row %d has scale %g", r, sc)
		}
		for j := r * s.Dim; j < (r+1)*s.Dim; j++ {
			if w.Emb[j] != float32(w.EmbQ[j])*sc {
				return fmt.Errorf("arch: emb differs from its int8 table at row %d (call QuantizeEmb after changing Emb)", r)
			}
		}
	}
	return nil
}
