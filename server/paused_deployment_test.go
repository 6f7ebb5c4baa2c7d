package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

// An admin pauses a deployment as on Azure, with properties.deploymentState
// "Paused" in its PUT: every call naming it is refused 423 (the status
// Azure gives a paused deployment's inference requests) in its API's own
// error shape, on /v1 and on Azure's deployment path, the model list
// leaves it out, and a PUT with "Running" takes calls again.
func TestAPausedDeploymentTakesNoCallsUntilItRunsAgain(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	e := managedE2E(t, adminKey)
	send := func(path, key, body string) (int, string) {
		method := http.MethodPost
		if strings.HasPrefix(path, "PUT ") || strings.HasPrefix(path, "GET ") {
			method, path, _ = strings.Cut(path, " ")
		}
		status, _, b := requestAs(t, e, method, path, key, body, nil)
		return status, string(b)
	}
	deployment := func(state string) string {
		return `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "deploymentState": "` + state + `"}}`
	}
	status, body := send("PUT "+azureDeployments+"/held?api-version=2025-10-01-preview", adminKey, deployment("Paused"))
	require.Equal(t, http.StatusCreated, status, body)
	assert.Contains(t, body, `"deploymentState":"Paused"`)

	chat := `{"model": "held", "messages": [{"role": "user", "content": "hi"}]}`
	calls := []struct{ path, body string }{
		{"/v1/chat/completions", chat},
		{"/v1/responses", `{"model": "held", "input": "hi"}`},
		{"/openai/deployments/held/chat/completions?api-version=2025-11-18", chat},
		{"/v1/route", chat},
	}
	for _, c := range calls {
		status, body = send(c.path, e2eKey, c.body)
		require.Equal(t, http.StatusLocked, status, "%s: %s", c.path, body)
		got := errorOf(t, []byte(body))
		require.NotNil(t, got.Error.Code, c.path)
		assert.Equal(t, router.EDeploymentPaused, *got.Error.Code, c.path)
		assert.Equal(t, "invalid_request_error", got.Error.Type, c.path)
		assert.Contains(t, got.Error.Message, `deployment "held" is paused`, c.path)
	}
	status, body = send("/v1/messages", e2eKey, `{"model": "held", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}`)
	require.Equal(t, http.StatusLocked, status, body)
	var anth struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &anth), body)
	assert.Equal(t, "error", anth.Type)
	assert.Equal(t, "invalid_request_error", anth.Error.Type)
	assert.Contains(t, anth.Error.Message, `deployment "held" is paused`)

	status, body = send("GET /v1/models", e2eKey, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.NotContains(t, body, `"held"`, "a paused deployment is not listed as callable")
	status, body = send("GET /deployments/held", adminKey, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"deploymentState":"Paused"`, "the management API still shows it")

	status, body = send("PUT "+azureDeployments+"/held?api-version=2025-10-01-preview", adminKey, deployment("running"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"deploymentState":"Running"`)
	status, body = send("/v1/chat/completions", e2eKey, chat)
	assert.Equal(t, http.StatusOK, status, "running again: %s", body)

	paused := 0
	for _, rec := range e.log.waitFor(t, len(calls)+2) {
		if rec.ErrorCode == router.EDeploymentPaused {
			paused++
			assert.Equal(t, "held", rec.Decision.Deployment, "logged under the deployment it named")
		}
	}
	assert.Positive(t, paused, "the refusals are logged under their code")
}

// Azure's pause and resume actions, POSTed to a deployment's path on the
// gateway's own store and engine, stop and restart its calls as the PUT
// above does: the action is matched in any case, and so is the name.
func TestAzuresPauseAndResumeActionsStopAndRestartCalls(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	e := managedE2E(t, adminKey)
	send := sender(t, e)
	status, body := send(http.MethodPut, azureDeployments+"/held", adminKey,
		`{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}}}`)
	require.Equal(t, http.StatusCreated, status, body)
	chat := `{"model": "held", "messages": [{"role": "user", "content": "hi"}]}`

	paused := pausedThenResumed(t, send, adminKey, chat, "/Held/PAUSE", "/held/resume")
	assert.Contains(t, paused, `"name":"held"`)

	status, body = send(http.MethodPost, azureDeployments+"/gone/pause", adminKey, "")
	require.Equal(t, http.StatusNotFound, status, body)
	assert.Equal(t, manage.CodeNotFound, *errorOf(t, []byte(body)).Error.Code)
}

// A paused deployment's 423 says how to resume it in a way whoever reads
// it in their client can follow without the CLI: the request it names,
// sent as it is with the admin key, resumes the deployment.
func TestAPausedDeploymentsRefusalSaysHowToResumeIt(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	e := managedE2E(t, adminKey)
	send := sender(t, e)
	status, body := send(http.MethodPut, "/deployments/Held", adminKey,
		`{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "deploymentState": "Paused"}}`)
	require.Equal(t, http.StatusCreated, status, body)
	chat := `{"model": "held", "messages": [{"role": "user", "content": "hi"}]}`

	status, body = send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	require.Equal(t, http.StatusLocked, status, body)
	resumeAsTold(t, send, adminKey, errorOf(t, []byte(body)).Error.Message)
	status, body = send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	assert.Equal(t, http.StatusOK, status, "resumed as the refusal said: %s", body)
}

// resumeAsTold sends the request a paused deployment's refusal message
// names ("... POST PATH ..."), as it is, with the admin key, and checks
// that it resumed the deployment.
func resumeAsTold(t *testing.T, send func(method, path, key, body string) (int, string), adminKey, msg string) {
	t.Helper()
	_, told, ok := strings.Cut(msg, "POST ")
	require.True(t, ok, "the refusal names a request that resumes it: %s", msg)
	path, _, _ := strings.Cut(told, " ")
	path = strings.TrimRight(path, ");") // as a parenthesis in the message closes it
	status, body := send(http.MethodPost, path, adminKey, "")
	require.Equal(t, http.StatusOK, status, "POST %s: %s", path, body)
	assert.Contains(t, body, `"deploymentState":"Running"`)
}

// The pause action is the emergency stop for a deployment's spend, so it
// works on a router an earlier build stored with settings this build's
// PUT refuses (here a SKU no longer taken and Azure's content filter):
// it flips only the state, calls are refused 423 until the resume
// action, and then served again as before.
func TestThePauseActionStopsADeploymentStoredWithSettingsAPutNowRefuses(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	const stored = `{"sku": {"name": "Premium", "capacity": 30},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "raiPolicyName": "Microsoft.Default"}}`
	st := deploymentStore(t, map[string]string{"legacy": stored})
	mgmt := manage.New(manage.Config{Store: st, Catalog: testCatalog(), AdminKey: adminKey})
	e := newE2E(t, func(c *Config) {
		c.Deployments = manage.NewSource(st, testCatalog())
		c.Mount = func(g *gin.Engine) { mgmt.Register(g); mgmt.RegisterAzure(g) }
	})
	send := sender(t, e)
	chat := `{"model": "legacy", "messages": [{"role": "user", "content": "hi"}]}`
	status, body := send(http.MethodPut, azureDeployments+"/legacy", adminKey, stored)
	require.Equal(t, http.StatusBadRequest, status, "a PUT of it as stored is refused: %s", body)

	paused := pausedThenResumed(t, send, adminKey, chat, "/legacy/pause", "/legacy/resume")
	assert.Contains(t, paused, `"sku":{"name":"Premium","capacity":30}`, "its other settings are kept as stored")
}

// azureDeployments is the deployments collection on Azure's ARM path.
const azureDeployments = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"

// sender sends a request to e's gateway with a key, returning the status
// and the body.
func sender(t *testing.T, e *e2e) func(method, path, key, body string) (int, string) {
	return func(method, path, key, body string) (int, string) {
		status, _, b := requestAs(t, e, method, path, key, body, nil)
		return status, string(b)
	}
}

// pausedThenResumed POSTs the pause action at pause (under
// azureDeployments), checks chat is then refused 423 deployment_paused,
// POSTs the resume action at resume and checks chat is served again. It
// returns the pause action's answer.
func pausedThenResumed(t *testing.T, send func(method, path, key, body string) (int, string), adminKey, chat, pause, resume string) string {
	t.Helper()
	status, paused := send(http.MethodPost, azureDeployments+pause+"?api-version=2026-01-15-preview", adminKey, "")
	require.Equal(t, http.StatusOK, status, paused)
	assert.Contains(t, paused, `"deploymentState":"Paused"`)
	status, body := send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	require.Equal(t, http.StatusLocked, status, body)
	assert.Equal(t, router.EDeploymentPaused, *errorOf(t, []byte(body)).Error.Code)

	status, body = send(http.MethodPost, azureDeployments+resume+"?api-version=2026-01-15-preview", adminKey, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"deploymentState":"Running"`)
	status, body = send(http.MethodPost, "/v1/chat/completions", e2eKey, chat)
	assert.Equal(t, http.StatusOK, status, "resumed: %s", body)
	return paused
}
