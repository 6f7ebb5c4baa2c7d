package playground_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// billed logs a call that chose and was answered by model, among cands,
// and cost usd.
func billed(t *testing.T, gw gateway, id, model string, usd float64, cands ...router.Candidate) {
	t.Helper()
	gw.store.Log().Record(router.Record{RequestID: id, Time: time.Now(), API: "chat.completions", PromptHash: "h-" + id,
		Decision:        router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: model, Candidates: cands},
		DeploymentFound: true, Answered: model, Attempts: []router.Attempt{{Model: model, Status: 200}}, Status: 200,
		Usage: router.Usage{PromptTokens: 13, CompletionTokens: 50}, CostUSD: usd})
	require.NoError(t, gw.store.Log().Flush(context.Background()))
}

func openDashboard(t *testing.T, ctx context.Context, gw gateway) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#chart-cost rect")),
	)
}

// Routing that cost more than always sending the strongest model would
// have is a negative saving, written as money is: "-$0.000030", not
// "$-0.000030".
func TestDashboardWritesANegativeSavingWithTheMinusBeforeTheDollar(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	billed(t, gw, "dearer", "large", 0.00005,
		router.Candidate{Model: "large", Profile: "p-large", Eligible: true, Quality: 0.8, ExpectedCost: 0.00005, Rank: 1},
		router.Candidate{Model: "mini", Profile: "p-mini", Eligible: true, Quality: 0.9, ExpectedCost: 0.00002, Rank: 2})
	openDashboard(t, ctx, gw)
	assert.Equal(t, "-$0.000030 (-150.0%)", text(t, ctx, "#card-save-strongest"))
}

// A few cheap calls cost millionths of a dollar: the cost chart's axis
// writes them as decimals, every label with as many as its step needs,
// never in exponent notation ("$5.3e-7").
func TestDashboardCostAxisWritesMillionthsOfADollarAsDecimals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	billed(t, gw, "cheap", "nano", 0.0000021,
		router.Candidate{Model: "nano", Profile: "p-nano", Eligible: true, Quality: 0.7, ExpectedCost: 0.000002, Rank: 1})
	openDashboard(t, ctx, gw)
	labels := value(t, ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#chart-cost text")].map(e => e.textContent).filter(s => s.startsWith("$"))`))
	require.Len(t, labels, 5)
	assert.Equal(t, "$0.00000000", labels[0])
	assert.Equal(t, "$0.00000210", labels[4])
	for _, l := range labels {
		assert.Regexp(t, `^\$0\.\d{8}$`, l)
	}
	title := value(t, ctx, chromedp.TextContent(chromedp.CSS("#chart-cost rect title")))
	assert.Regexp(t, `, nano: \$0\.0000021$`, title, "the bar's title gives its cost to two significant digits")
}
