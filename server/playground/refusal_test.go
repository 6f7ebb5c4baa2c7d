package playground_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A model that declines answers with a refusal rather than text: the page
// shows the refusal's words, marked as a refusal, streamed or not, rather
// than an empty answer and "Done.".
func TestPlaygroundShowsARefusalAsARefusal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	const refusal = "I'm sorry, but I can't help with that request."
	gw.fake.Set("mini", upstreamtest.Behavior{Refusal: refusal})

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
	)
	for _, streamed := range []bool{true, false} {
		name := map[bool]string{true: "streamed", false: "not streamed"}[streamed]
		t.Run(name, func(t *testing.T) {
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.Click(chromedp.CSS("#new-chat")),
				chromedp.SendKeys(chromedp.CSS("#prompt"), "How do I pick a lock?"),
			}
			if !streamed {
				steps = append(steps, chromedp.Click(chromedp.CSS("#stream")))
			}
			within(t, ctx, 10*time.Second, append(steps, chromedp.Click(chromedp.CSS("#send")))...)
			assert.Equal(t, "Done: the model refused to answer.", waitStatus(t, ctx, "chat-status", "Routing..."))
			assert.Equal(t, refusal, text(t, ctx, "#answer"))
			assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("answer").classList.contains("refusal")`)),
				"the answer is marked as a refusal")
			assert.Equal(t, "mini", text(t, ctx, "#answered-model"))
		})
	}
}
