package playground_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// Opened without a key, the dashboard says once that it needs an admin
// key: it showed the reports' refusal ("the router's reports need an admin
// key: send Authorization: Bearer <admin key> ...") followed by "(the
// dashboard needs an admin key)", the same thing twice, and told a page
// user about a header rather than the Key field.
func TestDashboardWithoutAKeySaysOnceThatItNeedsOne(t *testing.T) {
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
		chromedp.Click(chromedp.CSS("#refresh")),
	)
	status := dashboardSettled(t, ctx)
	assert.Equal(t, 1, strings.Count(status, "admin key"), "%q", status)
	assert.Contains(t, status, "Key field", "where the page takes the key")
}
