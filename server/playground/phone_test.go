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
	"github.com/modelrouter/modelrouter/router/routertest"
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

// A model id is one word to its reader: the candidate table on a phone
// (390 px) shows each id and profile on one line, not broken at its
// hyphens ("gpt-4.1-" over "mini"), and the page still fits the screen,
// the table scrolling sideways on its own.
func TestCandidateTableKeepsHyphenatedModelIdsOnOneLineOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	ids := []string{"gpt-4.1-mini", "gpt-4.1-nano", "claude-sonnet-4-5-20250929", "gemini-2.5-flash-lite-preview"}
	gw := startGateway(t, func(s *gatewaySetup) {
		s.config = func(cfg *server.Config) {
			var models []router.Model
			pred := router.Prediction{}
			for i, id := range ids {
				models = append(models, model(id, 0.1*float64(i+1), 0.4*float64(i+1)))
				pred["p-"+id] = router.Estimate{Quality: 0.9 - 0.01*float64(i), OutputTokens: 300}
			}
			catalog := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: models}}}
			var err error
			cfg.Router, err = router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: pred}, Available: cfg.Available})
			require.NoError(t, err)
			cfg.PreviewRouter, err = router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: pred}})
			require.NoError(t, err)
		}
	})

	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#subset-models input[value="`+ids[0]+`"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#decide")),
	)
	assert.Equal(t, "Decided.", waitStatus(t, ctx, "chat-status", "Deciding..."))

	// Each row's model and profile cells, each on one line.
	rows := oneLineCells(t, ctx, "#candidates", 1, 2)
	require.Len(t, rows, len(ids))
	var seen []string
	for _, row := range rows {
		seen = append(seen, row[0])
	}
	assert.ElementsMatch(t, ids, seen)
	size := pageWidth(t, ctx)
	assert.LessOrEqual(t, size[0], size[1], "the chat view is no wider than the screen")
	screenshot(t, ctx, "playground-candidates-phone.png")
}

// The dashboard's table reads the same ids: on a phone (390 px) each
// deployment name and model id in it is on one line, not broken at its
// hyphens ("claude-sonnet-4-" over "5-20250929"), and the page still fits
// the screen, the table scrolling sideways on its own.
func TestDashboardTableKeepsHyphenatedIdsOnOneLineOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	const deployment = "support-eu-west"
	ids := []string{"gpt-4.1-mini", "gpt-4.1-nano", "claude-sonnet-4-5-20250929", "gemini-2.5-flash-lite-preview"}
	ctx := dashboardOfCalls(t, deployment, ids, 390, 844)

	// Each row's deployment and model cells, each on one line.
	rows := oneLineCells(t, ctx, "#report-table", 0, 1)
	require.Len(t, rows, len(ids))
	var seen []string
	for _, row := range rows {
		assert.Equal(t, deployment, row[0])
		seen = append(seen, row[1])
	}
	assert.ElementsMatch(t, ids, seen)
	size := pageWidth(t, ctx)
	assert.LessOrEqual(t, size[0], size[1], "the dashboard is no wider than the screen")
	screenshot(t, ctx, "playground-dashboard-table-phone.png")
}

// oneLineCells reads, for each body row of the table at selector, the
// text of its cells in columns a and b, and checks the browser laid each
// out on one line: the boxes a Range over the cell's contents has (one
// box per line) share one top.
func oneLineCells(t *testing.T, ctx context.Context, selector string, a, b int) [][2]string {
	t.Helper()
	type laidOutCell struct {
		Text  string `json:"text"`
		Lines int    `json:"lines"`
	}
	rows := value(t, ctx, chromedp.Evaluate[[][]laidOutCell](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(tr =>
		[tr.cells[%d], tr.cells[%d]].map(td => {
			const r = document.createRange();
			r.selectNodeContents(td);
			const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
			return {text: td.textContent, lines: tops.size};
		}))`, selector+" tbody tr", a, b)))
	texts := make([][2]string, len(rows))
	for i, row := range rows {
		for j, c := range row {
			assert.Equal(t, 1, c.Lines, "%q is laid out on %d lines", c.Text, c.Lines)
			texts[i][j] = c.Text
		}
	}
	return texts
}

// dashboardOfCalls starts a gateway with a deployment of that name, logs
// one answered call of it for each model id, and opens the dashboard with
// the admin key in a browser window of that size, its table shown.
func dashboardOfCalls(t *testing.T, deployment string, ids []string, width, height int64) context.Context {
	t.Helper()
	ctx := browser(t)
	gw := startGateway(t, func(s *gatewaySetup) {
		s.config = func(cfg *server.Config) {
			d := server.DefaultDeployment("v1")
			d.Name = deployment
			cfg.Deployments = server.StaticDeployments{server.DefaultDeployment("v1"), d}
		}
	})
	for i, id := range ids {
		gw.store.Log().Record(router.Record{RequestID: fmt.Sprintf("call-%d", i), Time: time.Now(), API: "chat.completions", PromptHash: "h-" + id,
			Decision:        router.Decision{Deployment: deployment, Mode: router.ModeBalanced, ChosenID: id},
			DeploymentFound: true, Answered: id, Attempts: []router.Attempt{{Model: id, Status: 200}}, Status: 200, CostUSD: 0.0004})
	}
	require.NoError(t, gw.store.Log().Flush(context.Background()))
	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(width, height),
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#report-table tbody tr")),
	)
	return ctx
}
