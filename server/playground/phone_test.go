package playground_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
)

// longDeployment is as long as a deployment name may be.
const longDeployment = "customer-support-tier-two-escalations-europe-west-xxxxxxxxxxxxxx"

// pageWidth is how wide the page lays out, against the screen's width.
func pageWidth(t *testing.T, ctx context.Context) []int {
	t.Helper()
	return value(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
}

// On a phone (390 px wide) neither view is wider than the screen, with the
// longest deployment name in the pickers and a decision's table shown:
// the tables scroll on their own and the cards wrap.
func TestPlaygroundFitsAPhoneScreenWithTheLongestDeploymentName(t *testing.T) {
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
	gw.store.Log().Record(router.Record{RequestID: "long", Time: time.Now(), API: "chat.completions", PromptHash: "h-long",
		Decision:        router.Decision{Deployment: longDeployment, Mode: router.ModeBalanced, ChosenID: "mini"},
		DeploymentFound: true, Answered: "mini", Attempts: []router.Attempt{{Model: "mini", Status: 200}}, Status: 200, CostUSD: 0.0004})
	require.NoError(t, gw.store.Log().Flush(context.Background()))

	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="`+longDeployment+`"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#decide")),
	)
	assert.Equal(t, "Decided.", waitStatus(t, ctx, "chat-status", "Deciding..."))
	size := pageWidth(t, ctx)
	assert.LessOrEqual(t, size[0], size[1], "the chat view is no wider than the screen")

	within(t, ctx, 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#chart-cost rect")),
	)
	size = pageWidth(t, ctx)
	assert.LessOrEqual(t, size[0], size[1], "the dashboard is no wider than the screen")
	screenshot(t, ctx, "playground-dashboard-phone.png")
}
