package playground_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
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
