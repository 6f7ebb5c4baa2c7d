package playground_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/authlimit"
)

// typeKey replaces the Key field's text with key as a user does: typed,
// then the field left (which is when the page takes a new key).
func typeKey(key string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const f = document.getElementById("api-key");
  f.value = %q;
  f.dispatchEvent(new Event("change"));
})()`, key))
}

// dashboardSettled waits until every request the page made has been
// answered and the dashboard is no longer loading, and returns its status
// line ("" after a load that went well). It needs countFetches.
func dashboardSettled(t *testing.T, ctx context.Context) string {
	t.Helper()
	got := value(t, ctx, chromedp.Poll[[]string](`(() => {
  const s = document.getElementById("dash-status").textContent;
  return window.pendingFetches === 0 && s !== "Loading..." ? [s] : false;
})()`, chromedp.WithPollingInterval(20*time.Millisecond)))
	return got[0]
}

// Each wrong admin key counts against the address, and 10 in a minute
// lock it out of the reports. A key mistyped once and the dashboard
// refreshed or the page reloaded a few times is one wrong key, as is each
// further mistake, not one per report call and load: after five mistakes
// and as many refreshes and reloads, the right key still opens the reports.
func TestDashboardDoesNotLockOutAMistypedKeyOnRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t, func(s *gatewaySetup) { s.authLimit = authlimit.New(authlimit.Config{}) })
	answered(t, gw, "just-now", "mini", time.Now())

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/#dashboard"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.Evaluate[chromedp.Void](countFetches),
		typeKey("admin-secert"),
	)
	for i := range 5 {
		within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#refresh")))
		status := dashboardSettled(t, ctx)
		assert.Contains(t, status, "refused this key", "refresh %d", i+1)
	}
	for range 3 {
		within(t, ctx, 30*time.Second, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)))
		assert.Contains(t, waitStatus(t, ctx, "dash-status", "Loading..."), "refused this key", "after a reload")
	}
	within(t, ctx, 10*time.Second, chromedp.Evaluate[chromedp.Void](countFetches))
	for _, typo := range []string{"admin-secre", "admin-secrett", "Admin-secret", "admin_secret"} {
		within(t, ctx, 10*time.Second, typeKey(typo))
		assert.Contains(t, dashboardSettled(t, ctx), "refused this key", typo)
	}

	within(t, ctx, 10*time.Second, typeKey(adminKey))
	assert.Empty(t, dashboardSettled(t, ctx), "the right key opens the reports")
	assert.Equal(t, "1", text(t, ctx, "#card-requests"))
}

// twoDeployments serves a second deployment beside the default one.
func twoDeployments() gatewayOption {
	return func(s *gatewaySetup) {
		s.config = func(cfg *server.Config) {
			support := server.DefaultDeployment("v1")
			support.Name = "support"
			cfg.Deployments = server.StaticDeployments{server.DefaultDeployment("v1"), support}
		}
	}
}

// A key typed while the dashboard shows reloads it with that key, and the
// chat keeps the deployment and models picked there: the model list the
// new key reads does not start the chat over.
func TestChangingTheKeyReloadsTheDashboardAndKeepsTheChatChoice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t, twoDeployments())
	answered(t, gw, "just-now", "mini", time.Now())

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="support"]`)),
		chromedp.Evaluate[chromedp.Void](countFetches),
		chromedp.Evaluate[chromedp.Void](`(() => {
  const d = document.getElementById("deployment");
  d.value = d.options[d.options.length - 1].value;
  d.dispatchEvent(new Event("change"));
})()`),
	)
	picked := value(t, ctx, chromedp.Value(chromedp.CSS("#deployment")))
	first := value(t, ctx, chromedp.Evaluate[string](`document.getElementById("deployment").options[0].value`))
	if picked == first {
		t.Fatalf("the test needs a deployment other than the first: %s", picked)
	}
	within(t, ctx, 10*time.Second,
		chromedp.WaitReady(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.Click(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
	)
	assert.Contains(t, dashboardSettled(t, ctx), "admin key", "without a key the dashboard says what it needs")

	within(t, ctx, 10*time.Second, typeKey(adminKey))
	assert.Empty(t, dashboardSettled(t, ctx), "the new key loaded the dashboard")
	assert.Equal(t, "1", text(t, ctx, "#card-requests"))

	within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#tab-chat")))
	assert.Equal(t, picked, value(t, ctx, chromedp.Value(chromedp.CSS("#deployment"))), "the chat's deployment")
	ticked := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#subset-models input:checked")].map(c => c.value)`))
	assert.Equal(t, []string{"nano"}, ticked, "the chat's models")
}

// A load that fails empties the dashboard: the figures an earlier key
// read, left beside "The reports refused this key", would read as the
// answer to the key and range picked now.
func TestDashboardShowsNoFiguresAfterItsKeyIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	answered(t, gw, "just-now", "mini", time.Now())
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/#dashboard"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.Evaluate[chromedp.Void](countFetches),
		typeKey(adminKey),
	)
	assert.Empty(t, dashboardSettled(t, ctx))
	assert.Equal(t, "1", text(t, ctx, "#card-requests"))

	within(t, ctx, 10*time.Second, typeKey("admin-secert"))
	assert.Contains(t, dashboardSettled(t, ctx), "refused this key")
	shown := value(t, ctx, chromedp.Evaluate[[]any](`[
  document.getElementById("card-requests").textContent,
  document.getElementById("card-cost").textContent,
  document.querySelectorAll("#chart-distribution rect, #chart-cost rect, #legend span, #report-table tbody tr").length]`))
	assert.Equal(t, []any{"-", "-", float64(0)}, shown, "no requests, cost, bars, legend or rows")
}
