package router_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The reasons most losing candidates get read as fmt.Sprintf wrote them,
// in each mode: below the band threshold, within the band but dearer, and
// below the best quality; d's 0.8999 against a's 0.9 with a fourth decimal
// (TestALossByLessThanTheShownDecimalsReadsAsALoss).
func TestLostReasonsReadAsBefore(t *testing.T) {
	models := []router.Model{logicModel("a", 1, 10), logicModel("b", 2, 5), logicModel("c", 0.5, 1), logicModel("d", 3, 30)}
	pred := router.Prediction{
		"p-a": {Quality: 0.9, OutputTokens: 100}, "p-b": {Quality: 0.8912, OutputTokens: 300},
		"p-c": {Quality: 0.41, OutputTokens: 200}, "p-d": {Quality: 0.8999, OutputTokens: 50},
	}
	seen := map[string]bool{}
	for _, mode := range []router.Mode{router.ModeQuality, router.ModeBalanced, router.ModeCost} {
		r := logicRouter(t, pred, models...)
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: mode}, router.Request{Needs: router.Needs{InputTokens: 10}})
		require.NoError(t, err)
		var win router.Candidate
		for _, c := range d.Candidates {
			if c.Rank == 1 {
				win = c
			}
		}
		for _, c := range d.Candidates {
			var kind, want string
			switch {
			case strings.HasPrefix(c.Reason, "lost: predicted quality ") && strings.Contains(c.Reason, "band threshold"):
				kind, want = "below the band", fmt.Sprintf("lost: predicted quality %.*f below the band threshold %.*f", apart(c.Quality, d.Threshold, 3), c.Quality, apart(c.Quality, d.Threshold, 3), d.Threshold)
			case strings.HasPrefix(c.Reason, "lost: within the band but"):
				kind, want = "dearer in the band", fmt.Sprintf("lost: within the band but expected cost $%.*f above $%.*f", apart(c.ExpectedCost, win.ExpectedCost, 6), c.ExpectedCost, apart(c.ExpectedCost, win.ExpectedCost, 6), win.ExpectedCost)
			case strings.HasPrefix(c.Reason, "lost: predicted quality "):
				kind, want = "below the best", fmt.Sprintf("lost: predicted quality %.*f below %.*f", apart(c.Quality, win.Quality, 3), c.Quality, apart(c.Quality, win.Quality, 3), win.Quality)
			default:
				continue
			}
			seen[kind] = true
			assert.Equal(t, want, c.Reason, "%s, %s", mode, c.Model)
		}
	}
	assert.Len(t, seen, 3, "each of the three reasons came up: %v", seen)
}

// apart is the fewest decimals, at least min, at which fmt writes x and y
// apart.
func apart(x, y float64, min int) int {
	p := min
	for x != y && p < 17 && fmt.Sprintf("%.*f", p, x) == fmt.Sprintf("%.*f", p, y) {
		p++
	}
	return p
}
