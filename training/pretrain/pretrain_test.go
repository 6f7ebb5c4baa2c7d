package pretrain

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSymmetricEigenDiagonalises(t *testing.T) {
	const k = 6
	r := rand.New(rand.NewPCG(1, 2))
	a := make([]float64, k*k)
	for i := range k {
		for j := i; j < k; j++ {
			a[i*k+j] = r.NormFloat64()
			a[j*k+i] = a[i*k+j]
		}
	}
	vals, vecs := symmetricEigen(a, k)
	for e := range k {
		for i := range k {
			av := 0.0
			for j := range k {
				av += a[i*k+j] * vecs[j*k+e]
			}
			require.InDelta(t, vals[e]*vecs[i*k+e], av, 1e-9, "A·v = λ·v for eigenpair %d", e)
		}
	}
}

// Two topics whose tokens only ever appear together: tokens of one topic
// end up closer to each other than to the other topic's.
func TestVectorsPutTokensOfOneTopicTogether(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	topics := [][]int64{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}}
	var docs [][]int64
	for d := range 400 {
		words := topics[d%2]
		doc := make([]int64, 30)
		for i := range doc {
			doc[i] = words[r.IntN(len(words))]
		}
		docs = append(docs, doc)
	}
	opt := Options{Window: 2, Dim: 4, Alpha: 0.75, Iters: 3, Seed: 1}
	v, err := Vectors(docs, 12, opt)
	require.NoError(t, err)
	require.Len(t, v, 12*4)
	cos := func(a, b int) float64 {
		var ab, aa, bb float64
		for j := range 4 {
			ab += v[a*4+j] * v[b*4+j]
			aa += v[a*4+j] * v[a*4+j]
			bb += v[b*4+j] * v[b*4+j]
		}
		return ab / math.Sqrt(aa*bb)
	}
	require.Greater(t, cos(1, 2), cos(1, 7)+0.5)
	require.Greater(t, cos(6, 9), cos(3, 9)+0.5)
	for j := range 4 {
		require.Zero(t, v[11*4+j], "a token never seen has a zero vector")
	}
	again, err := Vectors(docs, 12, opt)
	require.NoError(t, err)
	require.Equal(t, v, again, "same seed, same vectors")
}

func TestVectorsRejectsBadInput(t *testing.T) {
	_, err := Vectors([][]int64{{1, 20}}, 10, DefaultOptions)
	require.ErrorContains(t, err, "outside")
	_, err = Vectors([][]int64{{1}}, 10, DefaultOptions)
	require.ErrorContains(t, err, "no co-occurring")
	_, err = Vectors(nil, 0, DefaultOptions)
	require.Error(t, err)
}
