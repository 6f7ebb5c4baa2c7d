package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A call naming a model that only paused deployments list is refused as a
// call through them is, 423 deployment_paused, saying so and naming them,
// rather than 404 as if the model did not exist here: resuming one serves
// it again. It is logged under the deployment it would have gone through
// (the default one first). A model nothing lists is still not found.
func TestAModelOnlyPausedDeploymentsListSaysSo(t *testing.T) {
	e := storedE2E(t, map[string]string{"model-router": pausedRouter, "Held": pausedRouter})

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model": "mini", "messages": [{"role": "user", "content": "hi"}]}`)
	require.Equal(t, http.StatusLocked, status, string(body))
	got := errorOf(t, body)
	require.NotNil(t, got.Error.Code)
	assert.Equal(t, router.EDeploymentPaused, *got.Error.Code)
	for _, says := range []string{`model "mini"`, `only by paused deployments "model-router", "Held"`} {
		assert.Contains(t, got.Error.Message, says)
	}
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "model-router", rec.Decision.Deployment, "logged under the deployment it would have gone through")
	assert.True(t, rec.DeploymentFound)

	status, _, body = postRaw(t, e, http.MethodGet, "/v1/models/mini", "")
	assert.Equal(t, http.StatusLocked, status, "retrieving it says the same: %s", body)
	assert.Contains(t, string(body), `only by paused deployments`)

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}`)
	assert.Equal(t, http.StatusNotFound, status, string(body))
}
