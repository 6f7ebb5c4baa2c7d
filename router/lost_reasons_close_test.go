package router_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A candidate that lost by less than the last decimal shown read "lost:
// predicted quality 0.970 below the band threshold 0.970" (seen in a dry
// run once a model's own profile predicted near 1): the reason writes as
// many more decimals as tell the two numbers apart, so it reads as what
// happened.
func TestALossByLessThanTheShownDecimalsReadsAsALoss(t *testing.T) {
	numbers := regexp.MustCompile(`\$?(-?[0-9.]+) (?:below|above) (?:the band threshold )?\$?(-?[0-9.]+)$`)
	for _, tc := range []struct {
		name        string
		mode        router.Mode
		pred        router.Prediction
		loser       string
		firstBelows bool // the loser's number is below the other
	}{
		{"below the band threshold", router.ModeBalanced,
			router.Prediction{"p-a": {Quality: 1, OutputTokens: 100}, "p-b": {Quality: 0.96991, OutputTokens: 100}}, "b", true},
		{"below the best", router.ModeQuality,
			router.Prediction{"p-a": {Quality: 0.97, OutputTokens: 100}, "p-b": {Quality: 0.96991, OutputTokens: 100}}, "b", true},
		{"dearer in the band", router.ModeBalanced,
			router.Prediction{"p-a": {Quality: 0.99, OutputTokens: 100}, "p-b": {Quality: 1, OutputTokens: 100.01}}, "b", false},
		// Costs near $0.001 are apart in their 18th decimal: writing at
		// most 17 read "$0.00101000000000000 above $0.00101000000000000".
		{"dearer in the band by a 1e-18th of a dollar", router.ModeBalanced,
			router.Prediction{"p-a": {Quality: 0.99, OutputTokens: 100}, "p-b": {Quality: 1, OutputTokens: 100 + 1e-13}}, "b", false},
		{"as good and dearer by a 1e-18th of a dollar", router.ModeQuality,
			router.Prediction{"p-a": {Quality: 0.99, OutputTokens: 100}, "p-b": {Quality: 0.99, OutputTokens: 100 + 1e-13}}, "b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := logicRouter(t, tc.pred, logicModel("a", 1, 10), logicModel("b", 1, 10))
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: tc.mode}, router.Request{Needs: router.Needs{InputTokens: 10}})
			require.NoError(t, err)
			found := false
			for _, c := range d.Candidates {
				if c.Model != tc.loser {
					continue
				}
				found = true
				m := numbers.FindStringSubmatch(c.Reason)
				require.NotNil(t, m, c.Reason)
				x, err := strconv.ParseFloat(m[1], 64)
				require.NoError(t, err)
				y, err := strconv.ParseFloat(m[2], 64)
				require.NoError(t, err)
				if tc.firstBelows {
					assert.Less(t, x, y, c.Reason)
				} else {
					assert.Greater(t, x, y, c.Reason)
				}
			}
			assert.True(t, found, "no candidate %s in %+v", tc.loser, d.Candidates)
		})
	}
}
