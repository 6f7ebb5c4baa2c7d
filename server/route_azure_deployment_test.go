package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	azureDeployment = "/openai/deployments/model-router"
	azureVersion    = "?api-version=2024-10-21"
)

// A body sent to Azure's deployment path is decided for the path's
// deployment, whatever its model says: its dry run, under the same path,
// decides it as that call does, where POST /v1/route reads the body's
// model (pinning the call to a model it names, refusing a body without).
func TestAzureDeploymentDryRunDecidesAsItsCall(t *testing.T) {
	for name, body := range map[string]string{
		"no model":           `{"messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`,
		"a model's id":       `{"model":"nano","messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`,
		"a mode and subset":  `{"messages":[{"role":"user","content":"hi"}],` + claudeFirst + `}`,
		"session affinity":   `{"messages":[{"role":"user","content":"hi"}],"routing_config":{"session_affinity":true}}`,
		"messages not texts": `{"messages":[{"role":"user","content":42}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			assertDryRunDecidesAsTheCall(t, e, azureDeployment+"/route"+azureVersion,
				azureDeployment+"/chat/completions"+azureVersion, body)
		})
	}
}

// The body's model does not pin the Azure path's dry run, as it does not
// pin its call: the deployment's models are all candidates, where
// /v1/route, reading the model from the body, weighs only that one.
func TestAzureDeploymentDryRunRoutesAmongTheDeploymentsModels(t *testing.T) {
	e := newE2E(t)
	body := `{"model":"nano","messages":[{"role":"user","content":"Prove that there are infinitely many primes."}],"routing_config":{"mode":"quality"}}`
	d := assertDryRunDecidesAsTheCall(t, e, azureDeployment+"/route"+azureVersion,
		azureDeployment+"/chat/completions"+azureVersion, body)
	require.NotNil(t, d, "the call was refused")
	assert.Greater(t, len(d.Candidates), 1, "the deployment's models: %+v", d.Candidates)

	v1 := assertDryRunDecidesAsTheCall(t, e, "/v1/route", "/v1/chat/completions", body)
	require.NotNil(t, v1)
	assert.Equal(t, "nano", v1.ChosenModel)
	assert.Len(t, v1.Candidates, 1)
}

// A Responses body on the Azure deployment path has its dry run at
// .../route/responses: a hosted tool leaves out the models reached
// through a translation there as on the call.
func TestAzureDeploymentResponsesDryRunDecidesAsItsCall(t *testing.T) {
	e := newE2E(t)
	d := assertDryRunDecidesAsTheCall(t, e, azureDeployment+"/route/responses"+azureVersion,
		azureDeployment+"/responses"+azureVersion,
		`{"input":"What changed in the news today?","tools":[{"type":"web_search"}],`+claudeFirst+`}`)
	require.NotNil(t, d, "the call was refused")
	assert.Equal(t, "mini", d.ChosenModel, "claude cannot run web_search: %+v", d.Candidates)
}

// A deployment that is none is refused by the dry run as by its call.
func TestAzureDeploymentDryRunRefusesAnUnknownDeployment(t *testing.T) {
	e := newE2E(t)
	body := `{"messages":[{"role":"user","content":"hi"}]}`
	assert.Nil(t, assertDryRunDecidesAsTheCall(t, e, "/openai/deployments/other/route"+azureVersion,
		"/openai/deployments/other/chat/completions"+azureVersion, body))
	status, _, raw := postRaw(t, e, http.MethodPost, "/openai/deployments/other/route"+azureVersion, body)
	assert.Equal(t, http.StatusNotFound, status, "%s", raw)
}

// A Responses body sent to the Azure path's chat dry run is told where its
// own is, by the path's pattern, not the v1 one it did not use.
func TestAzureDeploymentChatDryRunPointsAResponsesBodyToItsOwn(t *testing.T) {
	e := newE2E(t)
	status, _, raw := postRaw(t, e, http.MethodPost, azureDeployment+"/route"+azureVersion, `{"input":"hi"}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", raw)
	assert.Equal(t, "messages", *errorOf(t, raw).Error.Param)
	assert.Contains(t, errorOf(t, raw).Error.Message, "POST /openai/deployments/{deployment}/route/responses")
}
