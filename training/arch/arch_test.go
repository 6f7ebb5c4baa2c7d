package arch

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestForwardByHand(t *testing.T) {
	s := Spec{Vocab: 4, Buckets: 3, Dim: 2, Hidden: 2, Z: 1, Profiles: 2, MaxLen: 8}
	w := NewWeights(s)
	require.NoError(t, w.Validate())
	// token 1 -> (1,0), token 2 -> (0,1); pair (1,2) lands in bucket (1*BigramMul+2)%3.
	w.Emb[1*2+0] = 1
	w.Emb[2*2+1] = 1
	pair := PairID(s, 1, 2)
	w.Emb[pair*2+0] = 3
	// h = relu(x), z = h0 + h1, qual_0 = sigmoid(z), len_1 = exp(2z)
	w.W1[0*2+0], w.W1[1*2+1] = 1, 1
	w.W2[0], w.W2[1] = 1, 1
	w.QW[0] = 1
	w.LW[1] = 2
	q, l, z := w.Forward([]int64{1, 2})
	// x = ((1,0)+(0,1)+(3,0))/3 = (4/3, 1/3); z = 5/3
	require.InDelta(t, 5.0/3, z[0], 1e-6)
	require.InDelta(t, 1/(1+math.Exp(-5.0/3)), q[0], 1e-6)
	require.InDelta(t, 0.5, q[1], 1e-6)
	require.InDelta(t, 1, l[0], 1e-6)
	require.InDelta(t, math.Exp(10.0/3), l[1], 1e-4)
}

func TestValidateCatchesWrongSizes(t *testing.T) {
	w := NewWeights(Spec{Vocab: 4, Buckets: 3, Dim: 2, Hidden: 2, Z: 1, Profiles: 2, MaxLen: 8})
	w.QB = w.QB[:1]
	require.ErrorContains(t, w.Validate(), "qb")
}

func TestMeanMaxFeaturesByHand(t *testing.T) {
	s := Spec{Vocab: 4, Buckets: 3, Dim: 2, Hidden: 2, Z: 1, Profiles: 2, MaxLen: 8, Pool: PoolMeanMax}
	w := NewWeights(s)
	require.NoError(t, w.Validate())
	require.Len(t, w.W1, 5*2, "W1 has 2*Dim+1 rows")
	// token 1 -> (1,-2), token 2 -> (-1,-1), pair (1,2) -> (3,-4)
	w.Emb[1*2+0], w.Emb[1*2+1] = 1, -2
	w.Emb[2*2+0], w.Emb[2*2+1] = -1, -1
	pair := PairID(s, 1, 2)
	w.Emb[pair*2+0], w.Emb[pair*2+1] = 3, -4
	x := w.Features([]int64{1, 2})
	want := []float32{1, -7.0 / 3, 3, -1, float32(math.Log(3))}
	require.Len(t, x, len(want))
	for j := range want {
		require.InDelta(t, want[j], x[j], 1e-6, "x[%d]", j)
	}
	// The max of all-negative rows is negative, not a zero start.
	require.Equal(t, []float32{-1, -1, -1, -1, float32(math.Log(2))}, w.Features([]int64{2}))
	require.Equal(t, []float32{0, 0, 0, 0, 0}, w.Features(nil), "no tokens: zeros")
}

func TestPoolIsValidatedAndParsed(t *testing.T) {
	s := Spec{Vocab: 4, Buckets: 3, Dim: 2, Hidden: 2, Z: 1, Profiles: 2, MaxLen: 8}
	require.Equal(t, 3, s.Inputs())
	s.Pool = PoolMeanMax
	require.Equal(t, 5, s.Inputs())
	w := NewWeights(s)
	w.Spec.Pool = "median"
	require.ErrorContains(t, w.Validate(), `unknown pool "median"`)
	w.Spec.Pool = PoolMean
	require.ErrorContains(t, w.Validate(), "w1", "a mean+max W1 is too long for a mean-only spec")
	for in, want := range map[string]string{"": PoolMean, "mean": PoolMean, "mean+max": PoolMeanMax} {
		got, err := ParsePool(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := ParsePool("max")
	require.ErrorContains(t, err, "want mean or mean+max")
}

func TestSpecJSONOmitsTheDefaultPool(t *testing.T) {
	b, err := json.Marshal(Spec{Vocab: 4})
	require.NoError(t, err)
	require.NotContains(t, string(b), "pool", "older cards and readers see the spec they know")
	b, err = json.Marshal(Spec{Vocab: 4, Pool: PoolMeanMax})
	require.NoError(t, err)
	require.Contains(t, string(b), `"pool":"mean+max"`)
}

// Spec.Pool holds the parsed value: "mean" is the flag's spelling, not the
// field's, and the error says which values the field takes.
func TestCheckPoolNamesTheFieldsValues(t *testing.T) {
	err := Spec{Pool: "mean"}.CheckPool()
	require.ErrorContains(t, err, `unknown pool "mean" (want "" for mean, or "mean+max"; ParsePool reads "mean")`)
}
