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

// A call refused before its deployment is looked up, for a continued id
// longer than any the gateway makes or, on Azure's path, which names the
// deployment, for a body the gateway cannot read, is logged under the
// deployment it named, as a call refused over any other member of its
// body is: the decision log's row names it and /metrics counts it there,
// not as "unknown".
func TestACallRefusedEarlyIsLoggedUnderTheDeploymentItNamed(t *testing.T) {
	long := strings.Repeat("x", maxIDLen+1)
	calls := []struct {
		name, path, body string
		header           []string
		status           int
	}{
		{"previous_response_id", "/v1/responses",
			`{"model":"model-router","input":"hi","previous_response_id":"resp_` + long + `"}`, nil, http.StatusBadRequest},
		{"thread.previous_message_id", "/v1/messages",
			`{"model":"model-router","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"thread":{"type":"continue","previous_message_id":"msg_` + long + `"}}`, nil, http.StatusBadRequest},
		{"Azure path, unreadable body", "/openai/deployments/model-router/chat/completions?api-version=2024-10-21",
			chatBody, []string{"Content-Encoding", "br"}, http.StatusBadRequest},
		{"Azure path, body over the limit", "/openai/deployments/model-router/chat/completions?api-version=2024-10-21",
			`{"messages":[{"role":"user","content":"` + strings.Repeat("hi ", 2000) + `"}]}`, nil, http.StatusRequestEntityTooLarge},
	}
	met := metrics.New()
	s, log, _ := newTestServer(t, func(c *Config) {
		c.Observer = met
		c.MaxBodyBytes = 4096
	})
	for _, call := range calls {
		w := do(s.Handler(), http.MethodPost, call.path, call.body, call.header...)
		require.Equal(t, call.status, w.Code, "%s: %s", call.name, w.Body.String())
	}
	recs := log.waitFor(t, len(calls))
	for i, rec := range recs {
		assert.Equal(t, DefaultDeploymentName, rec.Decision.Deployment, "%s: the row's deployment", calls[i].name)
		assert.True(t, rec.DeploymentFound, calls[i].name)
	}

	mw := httptest.NewRecorder()
	met.Handler().ServeHTTP(mw, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var series []string
	for _, l := range strings.Split(mw.Body.String(), "\n") {
		if strings.HasPrefix(l, "modelrouter_requests_total{") {
			series = append(series, l)
		}
	}
	require.NotEmpty(t, series)
	for _, l := range series {
		assert.Contains(t, l, `deployment="model-router"`, "metrics series: %s", l)
	}
}
