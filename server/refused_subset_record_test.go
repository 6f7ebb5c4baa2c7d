package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/metrics"
)

// A call to an existing deployment whose routing_config.models names a
// model outside the subset is refused (400) by the router; its record must
// still name the deployment it was sent to, as every other refused call of
// a found deployment does, in the decision log and in /metrics.
func TestRefusedSubsetKeepsDeploymentInRecordAndMetrics(t *testing.T) {
	met := metrics.New()
	s, log, _ := newTestServer(t, func(c *Config) { c.Observer = met })
	w := do(s.Handler(), http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["not-in-subset"]}}`)
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	recs := log.waitFor(t, 1)
	assert.True(t, recs[0].DeploymentFound)
	assert.Equal(t, DefaultDeploymentName, recs[0].Decision.Deployment, "decision log row's deployment")

	mw := httptest.NewRecorder()
	met.Handler().ServeHTTP(mw, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var line string
	for _, l := range strings.Split(mw.Body.String(), "\n") {
		if strings.HasPrefix(l, "modelrouter_requests_total{") {
			line = l
		}
	}
	assert.Contains(t, line, `deployment="model-router"`, "metrics series: %s", line)
}
