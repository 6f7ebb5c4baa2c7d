package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// No deployment can be created as "unknown" any more, the label /metrics
// gives names that were not found (README "Validation rules"); one a
// database kept from before still serves its calls, logged under its name.
func TestADeploymentStoredAsUnknownBeforeStillServes(t *testing.T) {
	e := storedE2E(t, map[string]string{"Unknown": `{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
	  "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "mini", "version": "1"}, {"format": "OpenAI", "name": "nano", "version": "1"}]}}}`})

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"unknown","messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusOK, status, string(body))

	recs := e.log.waitFor(t, 1)
	assert.True(t, recs[0].DeploymentFound)
	assert.Equal(t, "Unknown", recs[0].Decision.Deployment)
	assert.Contains(t, []string{"mini", "nano"}, recs[0].Answered, "routed within its own subset")
}
