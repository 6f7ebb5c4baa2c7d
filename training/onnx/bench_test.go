package onnx

import (
	"math/rand/v2"
	"testing"

	"github.com/modelrouter/modelrouter/training/arch"
)

// BenchmarkPool runs ONNX Runtime on a batch of 8 full-length prompts with
// the shipped model's merged shape (int8 table), mean-only and mean+max,
// to show what the max block costs at inference.
func BenchmarkPool(b *testing.B) {
	for _, pool := range pools {
		b.Run("pool="+pool, func(b *testing.B) {
			s := arch.Spec{Vocab: 8192, Buckets: 32768, Dim: 128, Hidden: 256, Z: 64, Profiles: 60, MaxLen: 256, Pool: pool}
			w := randomWeights(s, 1, 0.5)
			w.QuantizeEmb()
			sess := session(b, encode(b, w))
			r := rand.New(rand.NewPCG(1, 1))
			rows := make([][]int64, 8)
			for i := range rows {
				rows[i] = make([]int64, s.MaxLen)
				for t := range rows[i] {
					rows[i][t] = 1 + r.Int64N(int64(s.Vocab-1))
				}
			}
			b.ResetTimer()
			for range b.N {
				runPadded(b, sess, rows)
			}
		})
	}
}
