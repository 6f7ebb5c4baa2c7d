package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Azure OpenAI answers a call to a deployment its resource does not have
// 404 with the code DeploymentNotFound, which Azure clients test for; the
// gateway answers a call on Azure's deployment path the same, its chat
// and Responses calls and their dry runs alike, while /v1, where the
// deployment is the body's model, keeps the gateway's not_found. The
// decision log's code stays not_found on every path.
func TestAnUnknownDeploymentOnAzuresPathIsDeploymentNotFound(t *testing.T) {
	srv, log, _ := newTestServer(t, nil)
	chat := `{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}`
	for _, tt := range []struct{ path, body, code string }{
		{"/openai/deployments/nope/chat/completions?api-version=2025-11-18", chat, "DeploymentNotFound"},
		{"/openai/deployments/nope/responses?api-version=2025-11-18", `{"input": "hi"}`, "DeploymentNotFound"},
		{"/openai/deployments/nope/route?api-version=2025-11-18", chat, "DeploymentNotFound"},
		{"/v1/chat/completions", chat, router.ENotFound},
	} {
		w := do(srv.Handler(), http.MethodPost, tt.path, tt.body)
		require.Equal(t, http.StatusNotFound, w.Code, "%s: %s", tt.path, w.Body)
		e := errorOf(t, w.Body.Bytes())
		require.NotNil(t, e.Error.Code, tt.path)
		assert.Equal(t, tt.code, *e.Error.Code, tt.path)
		assert.Contains(t, e.Error.Message, `"nope"`, tt.path)
	}
	for _, rec := range log.waitFor(t, 4) {
		assert.Equal(t, router.ENotFound, rec.ErrorCode, "logged under the gateway's code: %s", rec.Decision.Deployment)
	}
}
