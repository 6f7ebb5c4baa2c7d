package router

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTwoNumbersReadsAsSprintf compares the lost reasons' builder with
// fmt.Sprintf's %.3f and %.6f at the values where formatting goes wrong
// if anywhere: zeros of either sign, non-finite numbers, tiny and huge
// magnitudes, and halves at the rounding digit.
func TestTwoNumbersReadsAsSprintf(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1e-7, -1e-7, 0.99999, 0.9995,
		0.0005, 0.00049999, 0.0015, 0.0025, 0.0000005, 0.0000015, 0.1234565, 123456789.123456789, 1e21, -1e300,
		math.SmallestNonzeroFloat64, math.MaxFloat64}
	for _, prec := range []int{3, 6} {
		for _, x := range vals {
			for _, y := range vals {
				want := fmt.Sprintf("a %.*f b %.*f", prec, x, prec, y)
				assert.Equal(t, want, twoNumbers("a ", x, " b ", y, prec), "%v, %v at %d decimals", x, y, prec)
			}
		}
	}
}
