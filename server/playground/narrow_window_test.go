package playground_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
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
	ctx := browser(t)
	gw := startGateway(t, func(s *gatewaySetup) {
		s.config = func(cfg *server.Config) {
			long := server.DefaultDeployment("v1")
			long.Name = longDeployment
			cfg.Deployments = server.StaticDeployments{server.DefaultDeployment("v1"), long}
		}
	})
	ids := []string{"gpt-4.1-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash-lite-preview"}
	for i, id := range ids {
		gw.store.Log().Record(router.Record{RequestID: fmt.Sprintf("call-%d", i), Time: time.Now(), API: "chat.completions", PromptHash: "h-" + id,
			Decision:        router.Decision{Deployment: longDeployment, Mode: router.ModeBalanced, ChosenID: id},
			DeploymentFound: true, Answered: id, Attempts: []router.Attempt{{Model: id, Status: 200}}, Status: 200, CostUSD: 0.0004})
	}
	require.NoError(t, gw.store.Log().Flush(context.Background()))

	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(1024, 800),
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#report-table tbody tr")),
	)
	for _, width := range []int64{1024, 700} {
		within(t, ctx, 10*time.Second, chromedp.EmulateViewport(width, 800))
		size := pageWidth(t, ctx)
		assert.LessOrEqual(t, size[0], size[1], "%d px: the dashboard is no wider than the window", width)
		// The table is still whole, seen by scrolling it: its deployment
		// cells are on one line, and it is wider than what shows of it.
		lines := value(t, ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("#report-table tbody tr")].map(tr => {
			const r = document.createRange();
			r.selectNodeContents(tr.cells[0]);
			return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
		})`))
		assert.Equal(t, []int{1, 1, 1}, lines, "%d px: each deployment name on one line", width)
	}
}
