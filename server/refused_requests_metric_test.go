package server

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/refusedlog"
)

// A request refused for its Host or as a cross-site browser request gets
// no decision row (nothing was decided), but /metrics counts it by
// reason, and the server log names its address once a minute: otherwise
// a wrong --allowed-hosts behind a proxy, or a page probing the gateway,
// would leave the operator nothing to see.
func TestRefusedRequestsAreCountedInMetricsWithoutADecisionRow(t *testing.T) {
	met := metrics.New()
	var logs lockedBuffer
	e := newE2E(t, func(c *Config) {
		c.RequireKeys, c.Keys = false, nil
		c.Observer = met
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.RefusedLog = refusedlog.New(refusedlog.Config{Count: met.Refused, Logger: c.Logger})
		c.Mount = func(g *gin.Engine) { g.GET("/metrics", gin.WrapH(met.Handler())) }
	})
	post := func(host string, header map[string]string) int {
		req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(chatBody))
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 2 {
		require.Equal(t, http.StatusForbidden, post("rebound.example", nil))
	}
	require.Equal(t, http.StatusForbidden, post("", map[string]string{
		"Content-Type": "text/plain;charset=UTF-8", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}))
	require.Equal(t, http.StatusOK, post("", nil), "a call from loopback is answered")

	recs := e.log.waitFor(t, 1)
	assert.Len(t, recs, 1, "only the answered call has a decision row")

	resp, err := http.Get(e.url + "/metrics")
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	text := string(raw)
	assert.Contains(t, text, `modelrouter_refused_requests_total{reason="host_not_allowed"} 2`+"\n")
	assert.Contains(t, text, `modelrouter_refused_requests_total{reason="cross_site_request"} 1`+"\n")
	assert.Equal(t, 1, strings.Count(logs.String(), refusedlog.Message), "one line for the address:\n%s", logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1 refused=1 reason=host_not_allowed route=/v1/chat/completions")
}
