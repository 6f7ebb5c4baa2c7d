package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

func withServiceTier(body, tier string) string {
	return strings.Replace(body, `"properties": {`, `"properties": {"serviceTier": "`+tier+`", `, 1)
}

// A GET body from Azure's newer API versions carries properties.serviceTier
// "Default": a PUT that sends it back is taken, in any case, and the
// deployment keeps and answers it (as it does versionUpgradeOption), so a
// GET-then-PUT round trip works and shows no drift; Priority is still
// refused (TestAzureMembersTheGatewayCannotServeAreRefusedSayingWhy).
func TestAzuresDefaultServiceTierIsKeptAndAnswered(t *testing.T) {
	e := newEnv(t, adminKey)
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	w := e.do(http.MethodPut, account+"/tiered?api-version=2026-01-15-preview", withServiceTier(defaultDeployment, "default"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"serviceTier":"Default"`, "any case, stored as Azure spells it")
	for _, path := range []string{account + "/tiered", "/deployments/tiered", "/deployments"} {
		w = e.do(http.MethodGet, path, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `"serviceTier":"Default"`, path)
	}

	// The GET answer, PUT back as it is, as Terraform and az do.
	w = e.do(http.MethodGet, account+"/tiered", "")
	got := w.Body.String()
	w = e.do(http.MethodPut, account+"/tiered", got)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"serviceTier":"Default"`)

	// A Claude deployment takes it too.
	w = e.do(http.MethodPut, account+"/sonnet", withServiceTier(claudeDeployment, "DEFAULT"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"serviceTier":"Default"`)

	// A PUT replaces the whole deployment: one that names none clears it.
	e.mustPut("tiered", defaultDeployment)
	w = e.do(http.MethodGet, "/deployments/tiered", "")
	assert.NotContains(t, w.Body.String(), "serviceTier")

	w = e.do(http.MethodPut, account+"/tiered", withServiceTier(defaultDeployment, "Priority"))
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	refused := decodeErr(t, w)
	assert.Equal(t, manage.CodeInvalidBody, refused.Error.Code)
	require.NotNil(t, refused.Error.Param)
	assert.Equal(t, "properties.serviceTier", *refused.Error.Param)
	assert.Contains(t, refused.Error.Message, "service_tier")
	w = e.do(http.MethodGet, "/deployments/tiered", "")
	assert.NotContains(t, w.Body.String(), "serviceTier", "a refused PUT changed nothing")
}
