package playground_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/store"
)

const clientKey = "client-secret"

// clientKeys accepts one client key; the admin key is not one.
type clientKeys struct{}

func (clientKeys) VerifyKey(_ context.Context, key string) (string, error) {
	if key == clientKey {
		return "key-1", nil
	}
	return "", router.Errorf(router.EUnauthorized, "invalid key")
}

// requireKeys makes the gateway demand a client key on the API, as serve
// does with --require-keys or a non-loopback address, and serve two
// deployments.
func requireKeys() gatewayOption {
	return func(s *gatewaySetup) {
		s.config = func(cfg *server.Config) {
			cfg.RequireKeys, cfg.Keys = true, clientKeys{}
			support := server.DefaultDeployment("v1")
			support.Name = "support"
			cfg.Deployments = server.StaticDeployments{server.DefaultDeployment("v1"), support}
		}
	}
}

// chat sends one prompt to deployment with the client key and waits until
// its decision is in the log.
func chat(t *testing.T, gw gateway, deployment string) {
	t.Helper()
	before := gw.store.Log().Stats().Recorded
	req, err := http.NewRequest(http.MethodPost, gw.url+"/v1/chat/completions",
		bytes.NewReader([]byte(`{"model":"`+deployment+`","messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return gw.store.Log().Stats().Recorded > before }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, gw.store.Log().Flush(context.Background()))
}

// Where keys are required the model list takes a client key, and the
// admin key the dashboard needs is none: with the admin key alone in the
// Key field the dashboard still offers each deployment of the log, and
// picking one shows only its traffic.
func TestDashboardOffersTheLoggedDeploymentsToAnAdminKeyAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t, requireKeys())
	chat(t, gw, "model-router")
	chat(t, gw, "support")

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/#dashboard"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#refresh")),
		chromedp.WaitReady(chromedp.CSS("#chart-distribution rect")),
	)
	assert.Equal(t, "2", text(t, ctx, "#card-requests"))
	options := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#dash-deployment option")].map(o => o.value)`))
	assert.Equal(t, []string{"", "model-router", "support"}, options, "all, then each deployment")

	within(t, ctx, 10*time.Second,
		chromedp.SetValue(chromedp.CSS("#dash-deployment"), "support"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("dash-deployment").dispatchEvent(new Event("change"))`),
	)
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("card-requests").textContent === "1"`))
	rows := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#report-table tbody tr")].map(tr => tr.cells[0].textContent)`))
	assert.Equal(t, []string{"support"}, rows)
	assert.Equal(t, "support", value(t, ctx, chromedp.Value(chromedp.CSS("#dash-deployment"))), "the filter keeps its choice")
}

// heldReports holds the reports of ranges longer than a week (the
// dashboard's "last 30 days") until release is closed: a slow answer over a
// large log.
type heldReports struct {
	insights.Source
	release <-chan struct{}
}

func (h heldReports) hold(ctx context.Context, r store.Range) error {
	if time.Since(r.Since) < 8*24*time.Hour {
		return nil
	}
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h heldReports) Report(ctx context.Context, q store.ReportQuery) (*store.Report, error) {
	if err := h.hold(ctx, q.Range); err != nil {
		return nil, err
	}
	return h.Source.Report(ctx, q)
}

func (h heldReports) Timeline(ctx context.Context, q store.TimelineQuery) ([]store.TimelinePoint, error) {
	if err := h.hold(ctx, q.Range); err != nil {
		return nil, err
	}
	return h.Source.Timeline(ctx, q)
}

// answered logs a call that model answered at t.
func answered(t *testing.T, gw gateway, id, model string, at time.Time) {
	t.Helper()
	gw.store.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: "h-" + id,
		Decision:        router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: model},
		DeploymentFound: true, Answered: model, Attempts: []router.Attempt{{Model: model, Status: 200}}, Status: 200})
	require.NoError(t, gw.store.Log().Flush(context.Background()))
}

// countFetches makes the page count its requests still unanswered (their
// JSON not yet read) in window.pendingFetches, so a test can wait for
// every answer to have reached the page.
const countFetches = `(() => {
  window.pendingFetches = 0;
  const fetch = window.fetch;
  window.fetch = (...args) => {
    window.pendingFetches++;
    return fetch(...args).then((resp) => {
      const json = resp.json.bind(resp);
      resp.json = () => json().finally(() => window.pendingFetches--);
      return resp;
    }, (err) => { window.pendingFetches--; throw err; });
  };
})()`

func chooseRange(span string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById("range"); r.value = "` + span +
		`"; r.dispatchEvent(new Event("change")); })()`)
}

// A range picked while the dashboard still waits for an earlier one is
// the one shown: the earlier answer, slower over a large log, arriving
// last does not draw over it.
func TestDashboardShowsTheRangeLastChosenWhenAnEarlierOneAnswersLater(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	release := make(chan struct{})
	gw := startGateway(t, func(s *gatewaySetup) {
		s.reports = func(src insights.Source) insights.Source { return heldReports{Source: src, release: release} }
	})
	answered(t, gw, "three-days-ago", "large", time.Now().Add(-72*time.Hour))
	answered(t, gw, "just-now", "mini", time.Now())

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.Evaluate[chromedp.Void](countFetches),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
	)
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("card-requests").textContent === "2"`))

	within(t, ctx, 10*time.Second, chooseRange("30d"), chooseRange("24h"))
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("card-requests").textContent === "1"`))
	close(release)
	value(t, ctx, chromedp.Poll[bool](`window.pendingFetches === 0`))

	assert.Equal(t, "1", text(t, ctx, "#card-requests"), "the last 24 hours had one request")
	legend := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#legend span")].map(s => s.textContent)`))
	assert.Equal(t, []string{"mini"}, legend)
	assert.Empty(t, text(t, ctx, "#dash-status"))
}

// A cheap model's calls cost hundredths of a cent: the dashboard shows
// such amounts to two significant digits, as the report has them, rather
// than as $0.0000 beside a saving of 60 %.
func TestDashboardShowsSmallCostsWithoutRoundingThemToZero(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	gw.store.Log().Record(router.Record{RequestID: "cheap", Time: time.Now(), API: "chat.completions", PromptHash: "h-cheap",
		Decision: router.Decision{Deployment: "model-router", Mode: router.ModeCost, ChosenID: "nano", Candidates: []router.Candidate{
			{Model: "nano", Profile: "p-nano", Eligible: true, Quality: 0.7, ExpectedCost: 0.00002, Rank: 1},
			{Model: "large", Profile: "p-large", Eligible: true, Quality: 0.9, ExpectedCost: 0.00005, Rank: 2},
		}},
		DeploymentFound: true, Answered: "nano", Attempts: []router.Attempt{{Model: "nano", Status: 200}}, Status: 200,
		Usage: router.Usage{PromptTokens: 13, CompletionTokens: 50}, CostUSD: 0.0000213})
	require.NoError(t, gw.store.Log().Flush(context.Background()))

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#report-table tbody tr")),
	)
	assert.Equal(t, "$0.000021", text(t, ctx, "#card-cost"))
	assert.Equal(t, "$0.000030 (60.0%)", text(t, ctx, "#card-save-strongest"))
	row := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelector("#report-table tbody tr").cells].map(td => td.textContent)`))
	assert.Equal(t, []string{"model-router", "nano", "1", "0", "0", "0.000021", "0.000030", "0.000030"}, row)
}

// The default deployment routes among 18 models: past the palette's ten,
// each model charted still gets a colour of its own, or the legend would
// name two models for one colour and their bars would read as one.
func TestDashboardDrawsEachModelInItsOwnColour(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	const n = 12
	for i := range n {
		answered(t, gw, fmt.Sprintf("call-%d", i), fmt.Sprintf("model-%02d", i), time.Now())
	}

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#legend span")),
	)
	swatches := value(t, ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll("#legend span")].map(s => [s.textContent, s.style.getPropertyValue("--swatch")]))`))
	bars := value(t, ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll("#chart-distribution rect")].map(r => [r.dataset.model, r.getAttribute("fill")]))`))
	require.Len(t, swatches, n)
	assert.Equal(t, swatches, bars, "each bar has its model's legend colour")
	seen := map[string]string{}
	for model, colour := range swatches {
		if other, ok := seen[colour]; ok {
			t.Errorf("%s and %s are both drawn in %s", other, model, colour)
		}
		seen[colour] = model
	}
}

// The dashboard's table counts a failover in the row of the model that
// failed, as the report and modelrouter_failovers_total do: a model that
// failed and answered nothing shows there, with no requests, so an
// operator sees which model is failing.
func TestDashboardShowsFailoversUnderTheModelThatFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	gw.store.Log().Record(router.Record{RequestID: "failed-over", Time: time.Now(), API: "chat.completions", PromptHash: "h-failed-over",
		Decision:        router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: "large"},
		DeploymentFound: true, Answered: "nano", Status: 200,
		Attempts: []router.Attempt{{Model: "large", Status: 503, Error: "HTTP 503"}, {Model: "nano", Status: 200}}})
	require.NoError(t, gw.store.Log().Flush(context.Background()))

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#report-table tbody tr")),
	)
	rows := value(t, ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#report-table tbody tr")].map(tr => [...tr.cells].slice(1, 5).map(td => td.textContent))`))
	assert.ElementsMatch(t, [][]string{{"nano", "1", "0", "0"}, {"large", "0", "0", "1"}}, rows, "model, requests, errors, failovers")
}

// A model keeps its colour as the user switches ranges: "mini", drawn
// beside "large" over the week, is not redrawn in large's colour over the
// day it is alone in.
func TestDashboardKeepsEachModelsColourAcrossRanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	answered(t, gw, "three-days-ago", "large", time.Now().Add(-72*time.Hour))
	answered(t, gw, "just-now", "mini", time.Now())
	swatches := func() map[string]string {
		return value(t, ctx, chromedp.Evaluate[map[string]string](
			`Object.fromEntries([...document.querySelectorAll("#legend span")].map(s => [s.textContent, s.style.getPropertyValue("--swatch")]))`))
	}
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#legend span")),
	)
	week := swatches()
	require.Len(t, week, 2)
	assert.NotEqual(t, week["large"], week["mini"])

	within(t, ctx, 10*time.Second, chooseRange("24h"))
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("card-requests").textContent === "1"`))
	assert.Equal(t, map[string]string{"mini": week["mini"]}, swatches())
	bar := value(t, ctx, chromedp.Evaluate[string](`document.querySelector("#chart-distribution rect").getAttribute("fill")`))
	assert.Equal(t, week["mini"], bar)
}
