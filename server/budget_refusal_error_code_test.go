package server

import (
	"io"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// A key out of money and a deployment over its capacity are both 429s,
// but an operator acts on them differently (raise the key's budget, or
// the deployment's capacity): the decision log's error_code and the
// errors metric's code tell them apart, as the client's error code does.
func TestBudgetAndCapacityRefusalsAreLoggedApart(t *testing.T) {
	met := metrics.New()
	withMetrics := func(c *Config) {
		c.Observer = met
		c.Mount = func(g *gin.Engine) { g.GET("/metrics", gin.WrapH(met.Handler())) }
	}
	e := newE2E(t, withMetrics, func(c *Config) { c.Budgets = budget.New(spentSource{}, nil) })
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", chatBody)
	require.Equal(t, http.StatusTooManyRequests, status, "%s", raw)

	e.start(t, withMetrics, func(c *Config) { c.Limiter = refusingLimiter{} })
	status, _, raw = postRaw(t, e, http.MethodPost, "/v1/chat/completions", chatBody)
	require.Equal(t, http.StatusTooManyRequests, status, "%s", raw)

	recs := e.log.waitFor(t, 2)
	assert.Equal(t, "insufficient_quota", recs[0].ErrorCode, "the key's budget is spent")
	assert.Equal(t, "rate_limited", recs[1].ErrorCode, "the deployment is over its capacity")

	resp, err := http.Get(e.url + "/metrics")
	require.NoError(t, err)
	text, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Regexp(t, `modelrouter_errors_total\{code="insufficient_quota",[^}]*status_class="4xx"\} 1\n`, string(text))
	assert.Regexp(t, `modelrouter_errors_total\{code="rate_limited",[^}]*status_class="4xx"\} 1\n`, string(text))
}
