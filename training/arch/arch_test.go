package arch

import (
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
