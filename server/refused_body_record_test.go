package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call whose body is refused over another member than its model
// ("messages": [] on Chat Completions) is still logged under the
// deployment it named, in the body or in Azure's path, so /metrics and the
// report count it there rather than as "(unknown)"; a name that is no
// deployment is logged as a well-formed call naming it would be, which
// both count as unknown.
func TestACallWithABadBodyIsLoggedUnderTheDeploymentItNamed(t *testing.T) {
	s, log, _ := newTestServer(t, nil)
	h := s.Handler()
	for _, call := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"model-router","messages":[]}`},
		{"/openai/deployments/model-router/chat/completions?api-version=2024-10-21", `{"messages":[]}`},
		{"/v1/chat/completions", `{"model":"no-such-deployment","messages":[]}`},
	} {
		w := do(h, http.MethodPost, call.path, call.body)
		require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	}
	recs := log.waitFor(t, 3)
	for _, rec := range recs[:2] {
		assert.Equal(t, DefaultDeploymentName, rec.Decision.Deployment)
		assert.True(t, rec.DeploymentFound)
	}
	assert.Equal(t, "no-such-deployment", recs[2].Decision.Deployment)
	assert.False(t, recs[2].DeploymentFound)
}
