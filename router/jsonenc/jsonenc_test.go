package jsonenc

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFloatMatchesMarshal(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.5, 0.1234567890123, 1e-6, 9.99e-7, 1.5e-7, 1e-100, 1e20, 1e21, -2.5e-9, 123456.789, 5e-324, 1e300, math.MaxFloat64} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got, err := Float([]byte("x"), f)
		require.NoError(t, err)
		assert.Equal(t, "x"+string(want), string(got), "%v", f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := Float(nil, f)
		assert.Error(t, err, "%v", f)
	}
}

func TestStringMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "gpt-4.1", `"quoted" \`, "<b>&", "tab\t", "é", "\u2028", "\xff", "ctrl\x01",
		"\b\f\n\r\x1f\x7f", `excluded: the router model has no profile "p"`, "quality >= 0.5", "<>&\"\\"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, "x"+string(want), string(String([]byte("x"), s)), "%q", s)
	}
}

func FuzzStringMatchesMarshal(f *testing.F) {
	f.Add("model <a> & \"b\"")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(String(nil, s)))
	})
}

func TestArrayMatchesMarshal(t *testing.T) {
	num := func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
	for _, xs := range [][]int{{}, {7}, {1, -2, 3}} {
		want, err := json.Marshal(xs)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(Array(nil, xs, num)))
	}
	assert.Equal(t, "[]", string(Array[int](nil, nil, num)), "nil is an empty array; callers decide about null")
}
