package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A provider's 4xx about the request that Anthropic's errors page does not
// list (FastAPI's 422, which vLLM answers a body it cannot validate with)
// reaches a Messages client as an invalid_request_error, the type that
// page gives such statuses: it was an api_error, Anthropic's type for its
// own internal failures, which tells the client's code the request was
// fine and the service broke.
func TestAProviders422ReachesAMessagesClientAsAnInvalidRequest(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusUnprocessableEntity,
		FailBody: `{"detail":[{"type":"value_error","loc":["body","messages",0,"content"],"msg":"Value error, unsupported content"}]}`})
	for _, stream := range []string{"false", "true"} {
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":100,"stream":`+stream+`,`+
			`"messages":[{"role":"user","content":"Hi"}],"routing_config":{"models":["mini"]}}`)
		require.Equal(t, http.StatusUnprocessableEntity, status, out)
		assert.Equal(t, "error", out["type"])
		errObj := out["error"].(map[string]any)
		assert.Equal(t, "invalid_request_error", errObj["type"], "stream %s", stream)
		assert.Contains(t, errObj["message"], "unsupported content")
	}
}
