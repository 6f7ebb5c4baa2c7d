package playground_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// holdUpstream holds every call to the provider until release is closed,
// so a test can act while the page waits for an answer.
func holdUpstream(release <-chan struct{}) gatewayOption {
	return func(s *gatewaySetup) {
		s.upstream = func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-release:
					h.ServeHTTP(w, r)
				case <-r.Context().Done():
				}
			})
		}
	}
}

// askAndHold sends prompt and returns once the page is waiting for its
// answer: the request's body was made before the status says "Routing...".
func askAndHold(t *testing.T, ctx context.Context, url, prompt string) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), prompt),
		chromedp.Click(chromedp.CSS("#send")),
	)
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("chat-status").textContent === "Routing..."`,
		chromedp.WithPollingInterval(20*time.Millisecond)))
}

// sentMessages reads the conversation of the provider's latest call for model.
func sentMessages(t *testing.T, gw gateway, model string) []string {
	t.Helper()
	reqs := gw.fake.RequestsFor(model)
	require.NotEmpty(t, reqs)
	var body struct{ Messages []struct{ Content string } }
	require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
	var out []string
	for _, m := range body.Messages {
		out = append(out, m.Content)
	}
	return out
}

// A prompt typed while the last answer streams is the next question being
// drafted: the conversation keeps the question that was sent, and the
// draft stays in the box rather than being wiped by the answer's arrival.
func TestPlaygroundKeepsAPromptTypedWhileTheAnswerIsOnItsWay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	release := make(chan struct{})
	gw := startGateway(t, holdUpstream(release))
	const first, draft = "Prove that there are infinitely many primes.", "And twin primes?"
	askAndHold(t, ctx, gw.url, first)

	within(t, ctx, 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("prompt").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#prompt"), draft),
	)
	close(release)
	assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
	assert.Equal(t, draft, value(t, ctx, chromedp.Value(chromedp.CSS("#prompt"))), "the draft is left to send")
	transcript := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#transcript li.user")].map(li => li.lastChild.textContent)`))
	assert.Equal(t, []string{first}, transcript, "the transcript shows the question that was asked")

	within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#send")))
	assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
	assert.Equal(t, []string{first, "There are infinitely many primes: assume finitely many and multiply them, plus one.", draft},
		sentMessages(t, gw, "mini"), "the model reads the question it answered")
}

// "New conversation" clicked while an answer is on its way starts afresh:
// the answer, when it comes, does not carry the old turn into the new
// conversation's requests.
func TestPlaygroundNewConversationLeavesOutTheAnswerStillOnItsWay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	release := make(chan struct{})
	gw := startGateway(t, holdUpstream(release))
	askAndHold(t, ctx, gw.url, "Prove that there are infinitely many primes.")

	within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#new-chat")))
	close(release)
	assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
	assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("transcript").hidden`)), "the new conversation has no turns")

	within(t, ctx, 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("prompt").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "What is a prime?"),
		chromedp.Click(chromedp.CSS("#send")),
	)
	assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
	assert.Equal(t, []string{"What is a prime?"}, sentMessages(t, gw, "mini"))
}

// A turn that fails leaves the conversation's latest answer on the page:
// the answer box it stood in is cleared for the new turn, so the
// transcript above the prompt shows it, as the next prompt still sends it.
func TestPlaygroundKeepsTheLastAnswerInViewWhenTheNextTurnFails(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	gw.fake.Set("nano", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
	const answer = "There are infinitely many primes: assume finitely many and multiply them, plus one."
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)
	require.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))

	within(t, ctx, 10*time.Second,
		chromedp.Click(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "And twin primes?"),
		chromedp.Click(chromedp.CSS("#send")),
	)
	assert.Contains(t, waitStatus(t, ctx, "chat-status", "Routing..."), "every upstream model failed: nano (HTTP 500)")
	turns := value(t, ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#transcript li")].filter(li => li.checkVisibility()).map(li => li.lastChild.textContent)`))
	assert.Equal(t, []string{"Prove that there are infinitely many primes.", answer}, turns)
}
