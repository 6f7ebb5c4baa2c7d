package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Responses body the Responses API refuses is refused by its dry run
// with the same error (status, type, param, code, message), in OpenAI's
// shape.
func TestResponsesDryRunRefusesABadBodyAsTheCall(t *testing.T) {
	for name, body := range map[string]string{
		"input a number":           `{"model":"model-router","input":42}`,
		"max_output_tokens a word": `{"model":"model-router","input":"hi","max_output_tokens":"many"}`,
		"tools not a list":         `{"model":"model-router","input":"hi","tools":{"type":"web_search"}}`,
		"no model":                 `{"input":"hi"}`,
		"not JSON":                 `{"model":"model-router","input":`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			assert.Nil(t, assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses", body), "the call was routed")
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/route/responses", body)
			require.Equal(t, http.StatusBadRequest, status, "%s", raw)
			errorOf(t, raw) // OpenAI's shape: message, type, param, code
		})
	}
}

// A Responses body sent to POST /v1/route, which reads a Chat Completions
// body, is told where its dry run is.
func TestChatDryRunPointsAResponsesBodyToItsOwn(t *testing.T) {
	e := newE2E(t)
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/route", `{"model":"model-router","input":"hi"}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", raw)
	assert.Equal(t, "messages", *errorOf(t, raw).Error.Param)
	assert.Contains(t, errorOf(t, raw).Error.Message, "/v1/route/responses")
}
