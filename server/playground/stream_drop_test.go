package playground_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// dropStreams makes the page's connection to the gateway drop, as a
// network failure would, once cut is closed: a streamed answer ends without
// the end of its body.
func dropStreams(cut <-chan struct{}) gatewayOption {
	return func(s *gatewaySetup) {
		s.front = func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/chat/completions" {
					h.ServeHTTP(w, r)
					return
				}
				ctx, cancel := context.WithCancel(r.Context())
				defer cancel()
				go func() {
					select {
					case <-cut:
						cancel()
					case <-ctx.Done():
					}
				}()
				h.ServeHTTP(&cutWriter{ResponseWriter: w, cut: cut}, r.WithContext(ctx))
				select {
				case <-cut:
					// Closes the connection without ending the chunked body.
					panic(http.ErrAbortHandler)
				default:
				}
			})
		}
	}
}

// cutWriter passes the gateway's writes on until cut is closed, then
// fails them as a dropped connection does.
type cutWriter struct {
	http.ResponseWriter
	cut <-chan struct{}
}

func (c *cutWriter) Write(b []byte) (int, error) {
	select {
	case <-c.cut:
		return 0, errors.New("connection dropped")
	default:
		return c.ResponseWriter.Write(b)
	}
}

func (c *cutWriter) Flush() {
	select {
	case <-c.cut:
	default:
		c.ResponseWriter.(http.Flusher).Flush()
	}
}

// The model chosen and every candidate come with the stream's first event:
// when the connection drops mid-answer the page still shows them beside
// the part of the answer that came, and says the answer was cut short.
func TestPlaygroundShowsTheDecisionOfAStreamCutShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	cut := make(chan struct{})
	gw := startGateway(t, dropStreams(cut))
	// The role chunk and the first word, then nothing until the call ends.
	gw.fake.Set("mini", upstreamtest.Behavior{Reply: "There are infinitely many primes.", Stall: true, StallAfter: 2})

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)
	value(t, ctx, chromedp.Poll[bool](`document.getElementById("answer").textContent === "There "`,
		chromedp.WithPollingInterval(20*time.Millisecond)))
	close(cut)

	status := waitStatus(t, ctx, "chat-status", "Routing...")
	assert.Contains(t, status, "connection")
	assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("chat-status").classList.contains("error")`)))
	assert.Equal(t, "There ", text(t, ctx, "#answer"), "the part that came stays")
	assert.Equal(t, "mini", text(t, ctx, "#chosen-model"))
	assert.Equal(t, "balanced", text(t, ctx, "#result-mode"))
	assert.Regexp(t, `^[0-9a-f]{32}$`, text(t, ctx, "#request-id"))
	rows := candidateRows(t, ctx)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"1", "mini"}, rows[0][:2])
	assert.True(t, value(t, ctx, chromedp.Evaluate[bool](`document.getElementById("transcript").hidden`)),
		"an answer cut short is not carried into the conversation")
}
