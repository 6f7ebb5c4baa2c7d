package classifier

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func seq(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n          int
		head, tail int
		want       []int64
	}{
		{"short input is unchanged", 3, 2, 2, seq(3)},
		{"exactly the window is unchanged", 4, 2, 2, seq(4)},
		{"keeps head and tail", 10, 3, 2, []int64{0, 1, 2, 8, 9}},
		{"head only", 10, 3, 0, []int64{0, 1, 2}},
		{"tail only", 10, 0, 2, []int64{8, 9}},
		{"empty", 0, 3, 2, seq(0)},
		{"negative sizes count as zero", 5, -1, 2, []int64{3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := seq(tc.n)
			got := Truncate(in, tc.head, tc.tail)
			require.Equal(t, tc.want, got)
			require.Equal(t, seq(tc.n), in, "input must not be modified")
		})
	}
}
