package playground_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With no provider configured "Decide only" still shows a decision, and
// with it the server's note that the request cannot be sent to any model
// and which settings would change that: without it the page reads as if
// Send would work.
func TestDecideOnlyShowsThatNoModelCanBeSentTheRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t, func(s *gatewaySetup) { s.noProviders = true })

	resp, err := http.Post(gw.url+"/v1/route", "application/json",
		strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`))
	require.NoError(t, err)
	var route struct {
		Forwardable bool
		Note        string
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&route))
	resp.Body.Close()
	require.False(t, route.Forwardable)
	require.Contains(t, route.Note, "OPENAI_API_KEY", "the server names the setting")

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#decide")),
	)
	status := waitStatus(t, ctx, "chat-status", "Deciding...")
	assert.Contains(t, status, route.Note)
	assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("chat-status").classList.contains("error")`)),
		"shown as a warning, not as a plain success")
	assert.Equal(t, "mini", text(t, ctx, "#chosen-model"), "the decision is still shown")
}
