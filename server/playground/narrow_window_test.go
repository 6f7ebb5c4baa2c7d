package playground_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// A deployment name and a model id are kept on one line in the dashboard's
// table, so with the longest deployment name the table is wider than a
// window of a tablet or a small laptop (about 1,200 px wide with three
// model ids), not only than a phone's screen: there too the table scrolls
// sideways on its own and the page stays as wide as the window, rather
// than the whole page scrolling.
func TestDashboardWithTheLongestDeploymentNameFitsANarrowWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ids := []string{"gpt-4.1-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash-lite-preview"}
	ctx := dashboardOfCalls(t, longDeployment, ids, 1024, 800)
	for _, width := range []int64{1024, 700} {
		within(t, ctx, 10*time.Second, chromedp.EmulateViewport(width, 800))
		size := pageWidth(t, ctx)
		assert.LessOrEqual(t, size[0], size[1], "%d px: the dashboard is no wider than the window", width)
		// The table is still whole, seen by scrolling it: its deployment
		// and model cells are each on one line.
		assert.Len(t, oneLineCells(t, ctx, "#report-table", 0, 1), len(ids), "%d px", width)
	}
}
