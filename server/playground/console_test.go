package playground_test

import (
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// The playground loads, answers a prompt and shows the dashboard without
// an error in the browser's console: no script error, and no request of
// its own that fails (the browser's /favicon.ico, which nothing serves).
func TestPlaygroundLogsNoConsoleErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)
	assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
	within(t, ctx, 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
		chromedp.Click(chromedp.CSS("#tab-dashboard")),
		chromedp.WaitReady(chromedp.CSS("#chart-distribution rect")),
	)
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, errs)
}
