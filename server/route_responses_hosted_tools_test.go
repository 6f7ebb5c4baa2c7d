package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A Responses call declaring a tool OpenAI's platform runs is refused when
// the only OpenAI-kind provider is a server of one's own: the dry run of
// the same body answers the same refusal (400 no_eligible, each candidate
// with why), where POST /v1/route, reading a chat body, showed none.
func TestResponsesDryRunShowsTheHostedToolRefusal(t *testing.T) {
	for _, tool := range []string{
		`{"type":"web_search"}`,
		`{"type":"file_search","vector_store_ids":["vs_own1"]}`,
		`{"type":"code_interpreter","container":{"type":"auto"}}`,
		`{"type":"mcp","server_label":"docs","server_url":"https://mcp.example.com/mcp","require_approval":"never"}`,
	} {
		t.Run(tool, func(t *testing.T) {
			e := newE2E(t, selfHostedOpenAI)
			d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses",
				`{"model":"model-router","input":"What changed in the news today?","tools":[`+tool+`]}`)
			assert.Nil(t, d, "the call was routed")
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/route/responses",
				`{"model":"model-router","input":"What changed in the news today?","tools":[`+tool+`]}`)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "no_eligible", *errorOf(t, raw).Error.Code)
			assert.Contains(t, string(raw), "is run by OpenAI's platform, and provider openai's base URL (127.0.0.1) is not OpenAI's API")
		})
	}
}

// --agent-tools-openai-only keeps a call declaring a built-in tool on
// OpenAI's models: the dry run of a Responses body with one leaves out
// the others as the call does.
func TestResponsesDryRunKeepsAgentToolsOnOpenAIModels(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.AgentToolsOpenAIOnly = true })
	d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses",
		`{"model":"model-router","input":"Look it up.","tools":[{"type":"file_search","vector_store_ids":["vs_1"]}],`+claudeFirst+`}`)
	if assert.NotNil(t, d) {
		assert.Equal(t, "mini", d.ChosenModel)
	}
}
