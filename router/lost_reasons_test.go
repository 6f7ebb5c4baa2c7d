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
// below the best quality.
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
				kind, want = "below the band", fmt.Sprintf("lost: predicted quality %.3f below the band threshold %.3f", c.Quality, d.Threshold)
			case strings.HasPrefix(c.Reason, "lost: within the band but"):
				kind, want = "dearer in the band", fmt.Sprintf("lost: within the band but expected cost $%.6f above $%.6f", c.ExpectedCost, win.ExpectedCost)
			case strings.HasPrefix(c.Reason, "lost: predicted quality "):
				kind, want = "below the best", fmt.Sprintf("lost: predicted quality %.3f below %.3f", c.Quality, win.Quality)
			default:
				continue
			}
			seen[kind] = true
			assert.Equal(t, want, c.Reason, "%s, %s", mode, c.Model)
		}
	}
	assert.Len(t, seen, 3, "each of the three reasons came up: %v", seen)
}
