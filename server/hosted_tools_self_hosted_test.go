package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A Responses call declaring a tool OpenAI's platform runs (web search,
// file search over its vector stores, the code interpreter, image
// generation, a remote MCP server) must not reach a server of one's own
// behind the openai provider's base URL: Ollama reads the tool as a
// nameless function and answers without searching, a wrong answer with a
// 200. With no model left the call is 400 no_eligible, the candidates
// saying why, and nothing is sent.
func TestHostedToolsStayOffAServerOfYourOwnBehindTheOpenAIProvider(t *testing.T) {
	for typ, tool := range map[string]string{
		"web_search_preview": `{"type":"web_search_preview"}`,
		"web_search":         `{"type":"web_search"}`,
		"file_search":        `{"type":"file_search","vector_store_ids":["vs_own1"]}`,
		"code_interpreter":   `{"type":"code_interpreter","container":{"type":"auto"}}`,
		"image_generation":   `{"type":"image_generation"}`,
		"mcp":                `{"type":"mcp","server_label":"docs","server_url":"https://mcp.example.com/mcp","require_approval":"never"}`,
	} {
		t.Run(typ, func(t *testing.T) {
			e := newE2E(t, selfHostedOpenAI)
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses",
				`{"model":"model-router","input":"What changed in the news today?","tools":[`+tool+`]}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", raw)
			assert.Equal(t, "no_eligible", *errorOf(t, raw).Error.Code)
			assert.Contains(t, string(raw), `tool type \"`+typ+`\" is run by OpenAI's platform, and provider openai's base URL (127.0.0.1) is not OpenAI's API`)
			assert.Empty(t, e.openai.Requests(), "the call reached the server of your own")
		})
	}
}

// Tools the client runs (function, custom) still reach a server of one's
// own, and a hosted tool still reaches the openai provider at OpenAI's API.
func TestClientToolsStillReachAServerOfYourOwnAndHostedToolsOpenAIsAPI(t *testing.T) {
	e := newE2E(t, selfHostedOpenAI)
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","input":"Weather in Oslo?","tools":[`+
			`{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},`+
			`{"type":"custom","name":"run_sql"}]}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	assert.NotEmpty(t, e.openai.Requests())

	e = newE2E(t)
	status, _, raw = postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","input":"What changed in the news today?","tools":[{"type":"web_search_preview"}]}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	assert.NotEmpty(t, e.openai.Requests())
}

// declareHostedTools makes the e2e gateway's openai provider a server of
// one's own (selfHostedOpenAI) declared to run the hosted tool types
// given, as vLLM started with a tool server does.
func declareHostedTools(types ...string) func(*Config) {
	return func(c *Config) {
		selfHostedOpenAI(c)
		ps := c.Forwarder.(*upstream.Forwarder).Providers
		p := ps.ByName["openai"]
		p.HostedTools = types
		ps.ByName["openai"] = p
	}
}

// A server of one's own declared to run web search (hosted_tools) gets a
// Responses call that declares it, the tool as the client wrote it; one
// whose declaration leaves the call's tool out is still refused, nothing
// sent, with the existing refusal and what the declaration lacks.
func TestHostedToolsReachAServerDeclaredToRunThem(t *testing.T) {
	const tool = `{"type":"web_search_preview","search_context_size":"high","user_location":{"type":"approximate","country":"NO"}}`
	body := `{"model":"model-router","input":"What changed in the news today?","tools":[` + tool + `]}`

	e := newE2E(t, declareHostedTools("web_search_preview", "code_interpreter", "mcp"))
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses", body)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	reqs := e.openai.Requests()
	require.Len(t, reqs, 1)
	var sent struct {
		Tools []json.RawMessage `json:"tools"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	require.Len(t, sent.Tools, 1)
	assert.JSONEq(t, tool, string(sent.Tools[0]), "the tool reaches the server as the client wrote it")

	e = newE2E(t, declareHostedTools("code_interpreter", "mcp"))
	status, _, raw = postRaw(t, e, http.MethodPost, "/v1/responses", body)
	require.Equal(t, http.StatusBadRequest, status, "%s", raw)
	assert.Equal(t, "no_eligible", *errorOf(t, raw).Error.Code)
	assert.Contains(t, string(raw), `tool type \"web_search_preview\" is run by OpenAI's platform, and provider openai's base URL (127.0.0.1) is not OpenAI's API, and its hosted_tools declaration (code_interpreter, mcp) does not name it`)
	assert.Empty(t, e.openai.Requests(), "the call reached a server not declared to run its tool")
}
