package playground_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server"
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
