package manage_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// The reference has a content filter selected when the router is
// deployed; Azure's deployment body names it as properties.raiPolicyName.
// The gateway filters no content, so such a body is refused with that
// said and the member named, not with a bare "unknown field", and nothing
// is deployed that the client believes filtered.
func TestAContentFilterInADeploymentIsRefusedSayingThereIsNone(t *testing.T) {
	e := newEnv(t, adminKey)
	body := `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "raiPolicyName": "Microsoft.DefaultV2"}}`
	w := e.do(http.MethodPut, "/deployments/filtered", body)
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	got := decodeErr(t, w)
	assert.Equal(t, manage.CodeInvalidBody, got.Error.Code)
	require.NotNil(t, got.Error.Param)
	assert.Equal(t, "properties.raiPolicyName", *got.Error.Param)
	assert.Contains(t, got.Error.Message, "content filter")
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/deployments/filtered", "").Code, "nothing was deployed")
}
