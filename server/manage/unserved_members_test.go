package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// Members of Azure's deployment body that a client sets and the gateway has
// no meaning for are refused saying why and what does their work here, in
// any case, not with a bare "unknown field" that leaves an admin who
// copied an Azure body guessing.
func TestAzureMembersTheGatewayCannotServeAreRefusedSayingWhy(t *testing.T) {
	e := newEnv(t, adminKey)
	for _, tt := range []struct{ member, value, param, says string }{
		{"scaleSettings", `{"scaleType": "Standard", "capacity": 10}`, "properties.scaleSettings", "sku.capacity"},
		{"spilloverDeploymentName", `"overflow"`, "properties.spilloverDeploymentName", "429"},
		{"serviceTier", `"Priority"`, "properties.serviceTier", "service_tier"},
		{"ServiceTier", `"Priority"`, "properties.serviceTier", "service_tier"},
	} {
		body := strings.Replace(defaultDeployment, `"properties": {`, `"properties": {"`+tt.member+`": `+tt.value+`, `, 1)
		w := e.do(http.MethodPut, "/deployments/unserved", body)
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", tt.member, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidBody, got.Error.Code, tt.member)
		require.NotNil(t, got.Error.Param, tt.member)
		assert.Equal(t, tt.param, *got.Error.Param)
		assert.Contains(t, got.Error.Message, tt.says, tt.member)
		assert.NotContains(t, got.Error.Message, "unknown field", tt.member)
	}
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/deployments/unserved", "").Code, "nothing was deployed")
}
