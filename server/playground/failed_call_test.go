package playground_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A call that fails names its request id beside the error, where the user
// reads it: it finds the call in the decision log, and the facts that list
// it for an answer are not shown.
func TestPlaygroundNamesTheRequestIdOfAFailedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	gw.fake.Set("nano", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.Click(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)
	assert.Regexp(t, `^every upstream model failed: nano \(HTTP 500\) \(upstream, HTTP 502\) Request id [0-9a-f]{32}\.$`,
		waitStatus(t, ctx, "chat-status", "Routing..."))
}

// A call no configured provider can serve lists why each model was left
// out, without an empty answer box above the list that reads as an
// answer with nothing in it.
func TestPlaygroundShowsNoAnswerBoxForARefusedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t, func(s *gatewaySetup) { s.noProviders = true })
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)
	assert.Contains(t, waitStatus(t, ctx, "chat-status", "Routing..."), "(not_configured, HTTP 503) Request id ")
	assert.Len(t, candidateRows(t, ctx), 3, "each model, with why it was left out")
	assert.False(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("answer").checkVisibility()`)), "no answer box")

	within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#decide")))
	waitStatus(t, ctx, "chat-status", "Deciding...")
	assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("answer").checkVisibility()`)), "a decision shows its reason in the answer box")
}
