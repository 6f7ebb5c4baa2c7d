package metrics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// A background answer's call is counted at its estimate when it ends; the
// usage booked once its job is over adds what it used beyond that. A
// counter cannot go down, so a job that used less keeps its estimate.
func TestBookedUsageAddsWhatTheJobUsedBeyondItsEstimate(t *testing.T) {
	m := metrics.New()
	was := record("router-a", router.ModeBalanced, "large", "large")
	was.Usage = router.Usage{PromptTokens: 10, CompletionTokens: 100}
	was.CostUSD, was.UsageEstimated = 0.0008, true
	m.Observe(was)

	more := was
	more.Usage = router.Usage{PromptTokens: 12, CompletionTokens: 10_004, ReasoningTokens: 10_000}
	more.CostUSD, more.UsageEstimated = 0.08, false
	m.Booked(was, more)
	less := was
	less.Usage = router.Usage{PromptTokens: 8, CompletionTokens: 1}
	less.CostUSD = 0.00002
	m.Booked(was, less)

	text := scrape(t, m)
	labels := `deployment="router-a",mode="balanced",model="large"`
	for _, want := range []string{
		`modelrouter_requests_total{` + labels + `} 1`,
		`modelrouter_tokens_total{` + labels + `,type="prompt"} 12`,
		`modelrouter_tokens_total{` + labels + `,type="completion"} 10004`,
		`modelrouter_tokens_total{` + labels + `,type="reasoning"} 10000`,
		`modelrouter_cost_usd_total{` + labels + `} 0.08`,
	} {
		assert.Contains(t, text, want)
	}
}
