package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routing_config.models narrows the models a call may use; an empty list
// narrows to nothing (most likely a client's allowed list filtered down to
// none), and is refused rather than routed over the whole deployment, where
// it would reach models the client meant to leave out.
func TestAnEmptyRoutingConfigModelsListIsRefused(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{})
	resp, raw := g.post(t, "/v1/chat/completions", `{"model":"model-router","routing_config":{"models":[]},"messages":[{"role":"user","content":"Hi"}]}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", raw)
	we := errorOf(t, raw)
	require.NotNil(t, we.Error.Param)
	assert.Equal(t, "routing_config.models", *we.Error.Param)
	require.NotNil(t, we.Error.Code)
	assert.Equal(t, "invalid", *we.Error.Code)
	assert.Empty(t, g.openai.Requests())
	assert.Empty(t, g.anthropic.Requests())
}
