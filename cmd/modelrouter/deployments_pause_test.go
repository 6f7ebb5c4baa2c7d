package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// pausedView is what an admin reads of `deployments pause` or `resume`'s
// output: the deployment as `get` prints it.
type pausedView struct {
	Etag       string                 `json:"etag"`
	SKU        struct{ Capacity int } `json:"sku"`
	Properties struct {
		DeploymentState string `json:"deploymentState"`
		Routing         struct {
			Mode   string `json:"mode"`
			Models []struct {
				Name string `json:"name"`
			} `json:"models"`
		} `json:"routing"`
	} `json:"properties"`
}

// The emergency stop: `deployments pause` stops a router's calls (423)
// and keeps its subset and capacity, which a put --paused would reset; a
// second pause changes nothing, and `resume` serves it again as it was.
func TestDeploymentsPauseStopsARoutersCallsUntilResumeKeepingItsSettings(t *testing.T) {
	const key = "pause-admin"
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.adminKey = secret(key)
	})
	t.Setenv("MODELROUTER_URL", base)
	t.Setenv(manage.EnvAdminKey, key)
	cli := func(args ...string) (pausedView, error) {
		t.Helper()
		out, _, err := runCmd(t, append([]string{"deployments"}, args...)...)
		var v pausedView
		if err == nil {
			require.NoError(t, json.Unmarshal([]byte(out), &v), out)
		}
		return v, err
	}
	chat := func() (int, string) {
		return call(t, http.MethodPost, base+"/openai/deployments/held/chat/completions?api-version=2025-10-01-preview", "",
			`{"messages": [{"role": "user", "content": "hi"}]}`)
	}
	_, err := cli("put", "held", "--mode", "cost", "--models", gpt41, "--capacity", "30")
	require.NoError(t, err)
	status, body := chat()
	require.Equal(t, http.StatusOK, status, body)

	paused, err := cli("pause", "held")
	require.NoError(t, err)
	assert.Equal(t, manage.DeploymentPaused, paused.Properties.DeploymentState)
	assert.Equal(t, 30, paused.SKU.Capacity, "the capacity is kept")
	require.Len(t, paused.Properties.Routing.Models, 1, "the subset is kept")
	assert.Equal(t, "gpt-4.1", paused.Properties.Routing.Models[0].Name)
	status, body = chat()
	assert.Equal(t, http.StatusLocked, status, body)

	again, err := cli("pause", "held")
	require.NoError(t, err, "a second pause succeeds")
	assert.Equal(t, manage.DeploymentPaused, again.Properties.DeploymentState)
	assert.Equal(t, paused.Etag, again.Etag, "and writes nothing")

	resumed, err := cli("resume", "held", "--if-match", again.Etag)
	require.NoError(t, err)
	assert.Equal(t, manage.DeploymentRunning, resumed.Properties.DeploymentState)
	assert.Equal(t, "cost", resumed.Properties.Routing.Mode)
	assert.Equal(t, 30, resumed.SKU.Capacity)
	status, body = chat()
	assert.Equal(t, http.StatusOK, status, body)
}

// pause and resume fail as the other subcommands do: the server's 404 for
// an unknown deployment, its 400 for a model deployment (no call names
// it), a 412 saying nothing was paused, a usage error (exit 2) without a
// name, and a server that is not there.
func TestDeploymentsPauseAndResumeRefusals(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")

	_, _, err := runCmd(t, "deployments", "pause", "nowhere")
	assert.ErrorContains(t, err, "deployments pause: 404 Not Found (DeploymentNotFound)")
	assert.Equal(t, 1, exitCode(err))
	_, _, err = runCmd(t, "deployments", "resume", "nowhere")
	assert.ErrorContains(t, err, "deployments resume: 404 Not Found (DeploymentNotFound)")

	_, _, err = runCmd(t, "deployments", "put", "sonnet", "--model", sonnet45)
	require.NoError(t, err)
	_, _, err = runCmd(t, "deployments", "pause", "sonnet")
	assert.ErrorContains(t, err, "400 Bad Request")
	assert.ErrorContains(t, err, "cannot be paused")
	out, _, err := runCmd(t, "deployments", "get", "sonnet")
	require.NoError(t, err)
	assert.NotContains(t, out, "Paused")

	_, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)
	_, _, err = runCmd(t, "deployments", "pause", "mr", "--if-match", `"stale"`)
	assert.ErrorContains(t, err, "412")
	assert.ErrorContains(t, err, "nothing was paused")
	out, _, err = runCmd(t, "deployments", "get", "mr")
	require.NoError(t, err)
	assert.NotContains(t, out, "Paused", "a refused pause changed nothing")

	_, _, err = runCmd(t, "deployments", "pause")
	assert.Equal(t, 2, exitCode(err), "a usage error: %v", err)
	assert.ErrorContains(t, err, "exactly one deployment name")
	_, _, err = runCmd(t, "deployments", "pause", "mr", "--url", "http://127.0.0.1:1")
	assert.ErrorContains(t, err, "is `modelrouter serve` running")

	help, _, err := runCmd(t, "deployments", "help")
	require.NoError(t, err)
	assert.Contains(t, help, "modelrouter deployments pause NAME")
	assert.Contains(t, help, "modelrouter deployments resume NAME")
}

// A server of an earlier release has no route for the actions: its 404 is
// not called an unknown deployment, and the command says how to pause
// there.
func TestDeploymentsPauseOnAServerWithoutTheActionsSaysSo(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	eng := gin.New()
	manage.New(manage.Config{Store: &deploymentsMemStore{m: map[string]json.RawMessage{}}, Catalog: cat, AdminKey: "secret"}).
		Register(eng.Group(manage.MountPath))
	srv := httptest.NewServer(eng)
	t.Cleanup(srv.Close)
	t.Setenv("MODELROUTER_URL", srv.URL)
	t.Setenv(manage.EnvAdminKey, "secret")

	_, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)
	_, _, err = runCmd(t, "deployments", "pause", "mr")
	assert.ErrorContains(t, err, "404")
	assert.ErrorContains(t, err, "without the pause and resume actions")
	assert.ErrorContains(t, err, "deployments put NAME --paused")
}
