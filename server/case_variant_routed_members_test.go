package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A top-level member that routing reads, but no translation does, named in
// another case ("Routing_Config", "Service_Tier", "Reasoning_Effort") is
// refused before routing too. Routing did not read it, and a call to an
// OpenAI model is forwarded with it: a provider whose decoder folds case
// (encoding/json's: Ollama's OpenAI API) reads it, so the call would run
// on a tier, an effort or a previous response the gateway neither priced
// nor routed for, and our own routing_config would reach the provider.
func TestAMemberOnlyRoutingReadsInAnotherCaseIsRefusedBeforeRouting(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"Hello"}]`
	for name, tt := range map[string]struct{ path, body, member, known string }{
		"chat Routing_Config": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["mini"]},` + msgs + `,"Routing_Config":{"models":["claude"]}}`,
			"Routing_Config", "routing_config"},
		"chat Service_Tier": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["mini"]},` + msgs + `,"Service_Tier":"priority"}`,
			"Service_Tier", "service_tier"},
		"chat escaped Reasoning_Effort": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["mini"]},` + msgs + `,"\u0052easoning_effort":"high"}`,
			"Reasoning_effort", "reasoning_effort"},
		"responses Previous_Response_Id": {"/v1/responses",
			`{"model":"model-router","routing_config":{"models":["mini"]},"input":"Hello","Previous_Response_Id":"resp_1"}`,
			"Previous_Response_Id", "previous_response_id"},
		"messages Routing_Config": {"/v1/messages",
			`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,` + msgs + `,"ROUTING_CONFIG":{}}`,
			"ROUTING_CONFIG", "routing_config"},
	} {
		t.Run(name, func(t *testing.T) {
			requireCaseVariantRefused(t, tt.path, tt.body, tt.member, tt.known)
		})
	}
}

// requireCaseVariantRefused sends body to path and requires the 400 a
// member named in another case gets: invalid_request_error naming member
// and the known name it stands for (param too, but on the Messages API,
// whose error shape has none), with no provider called.
func requireCaseVariantRefused(t *testing.T, path, body, member, known string) {
	t.Helper()
	e := newE2E(t)
	status, _, got := postRaw(t, e, http.MethodPost, path, body)
	require.Equal(t, http.StatusBadRequest, status, "%s", got)
	var werr wireError
	require.NoError(t, json.Unmarshal(got, &werr), "%s", got)
	assert.Equal(t, "invalid_request_error", werr.Error.Type, "%s", got)
	assert.Contains(t, werr.Error.Message, `unknown member "`+member+`" (did you mean "`+known+`"?)`)
	if path != "/v1/messages" {
		require.NotNil(t, werr.Error.Param, "%s", got)
		assert.Equal(t, member, *werr.Error.Param)
	}
	assert.Empty(t, e.openai.Requests())
	assert.Empty(t, e.anthropic.Requests())
}
