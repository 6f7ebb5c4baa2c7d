package corpus

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInValidationAgreesWithSplit(t *testing.T) {
	c := &Corpus{}
	for i := range 500 {
		c.Examples = append(c.Examples, Example{Text: fmt.Sprintf("prompt number %d", i)})
	}
	_, val := c.Split(0.1, 7)
	inVal := map[int]bool{}
	for _, i := range val {
		inVal[i] = true
	}
	for i, ex := range c.Examples {
		require.Equal(t, inVal[i], InValidation(ex.Text, 0.1, 7), ex.Text)
	}
	require.NotEmpty(t, val)
}
