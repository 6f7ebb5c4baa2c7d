package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/openai"
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
	for _, says := range []string{`model "mini"`, `only by paused deployments "model-router", "Held"`, "POST " + manage.AzureActionPath("model-router", "resume") + ")"} {
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

// The 423 of a model only paused deployments list names a request that
// whoever reads it in their client can send as it is, with the admin key,
// to resume the deployment it would go through: the full path, not an
// abbreviation of it. The call is then served.
func TestAModelOnlyPausedDeploymentsListSaysHowToResumeOne(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	e := managedE2E(t, adminKey)
	send := sender(t, e)
	for _, name := range []string{"model-router", "Held"} {
		status, body := send(http.MethodPut, "/deployments/"+name, adminKey, pausedRouter)
		require.Equal(t, http.StatusCreated, status, body)
	}
	chat := `{"model": "mini", "messages": [{"role": "user", "content": "hi"}]}`
	status, body := send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	require.Equal(t, http.StatusLocked, status, body)
	resumeAsTold(t, send, adminKey, errorOf(t, []byte(body)).Error.Message)
	status, body = send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	assert.Equal(t, http.StatusOK, status, "resumed as the refusal said: %s", body)
}

// A model named by its catalog name, which a running deployment lists, is
// retrieved as a call by that name is served: GET /v1/models/{name}
// answers its entry, not the 423 of a model only paused deployments list,
// whatever paused deployment lists it too.
func TestAModelsCatalogNameThatARunningDeploymentListsIsRetrieved(t *testing.T) {
	cat := testCatalog()
	for i, m := range cat.Versions[0].Models {
		if m.ID == "mini" {
			cat.Versions[0].Models[i].Name = "mini-latest"
		}
	}
	st := deploymentStore(t, map[string]string{"Held": pausedRouter})
	e := newE2E(t, func(c *Config) {
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
		c.Deployments = manage.NewSource(st, cat)
	})

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model": "mini-latest", "messages": [{"role": "user", "content": "hi"}]}`)
	require.Equal(t, http.StatusOK, status, "a call by the catalog name is served: %s", body)

	status, _, body = postRaw(t, e, http.MethodGet, "/v1/models/mini-latest", "")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var got openai.ModelInfo
	require.NoError(t, json.Unmarshal(body, &got), "%s", body)
	assert.Equal(t, "mini", got.ID, "the entry of the model the name names")
	assert.Equal(t, "model", got.Kind)
	assert.Contains(t, got.Deployments, "model-router")
}
