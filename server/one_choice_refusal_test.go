package server

// llama.cpp's llama-server answers a Chat call with n other than 1 with
// HTTP 500. When no model is left to fail over to, the client gets a 400 on
// its n in OpenAI's shape, not a 502 blaming the provider, which its SDK
// would retry into the same refusal.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestTheLastModelsServerRefusingSeveralChoicesIsA400OnN(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError,
		FailBody: `{"error":{"code":500,"message":"Only one completion choice is allowed","type":"server_error"}}`})
	st, h, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","n":2,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`)
	require.Equal(t, http.StatusBadRequest, st, "%s", body)
	assert.Equal(t, "mini", h.Get("x-modelrouter-model"), "which model refused")
	we := errorOf(t, body)
	assert.Equal(t, "invalid_request_error", we.Error.Type)
	if assert.NotNil(t, we.Error.Code, "%s", body) {
		assert.Equal(t, "unsupported_value", *we.Error.Code)
	}
	if assert.NotNil(t, we.Error.Param, "%s", body) {
		assert.Equal(t, "n", *we.Error.Param)
	}
	assert.Contains(t, we.Error.Message, "answers only one choice a call (n=1): Only one completion choice is allowed")
}
