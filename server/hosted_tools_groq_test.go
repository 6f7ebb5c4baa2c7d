package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// atGroq serves the shipped catalog with gpt-oss-120b's provider at
// Groq's own API (its base URL's host is api.groq.com), its calls reaching
// the fake groq on loopback, and the openai provider at OpenAI's API, its
// calls reaching the fake openai,
// with --agent-tools-openai-only on, as it is by default. pred favours
// gpt-oss-120b, so a call it may serve goes there.
func atGroq(t *testing.T) (url string, oa, groq *upstreamtest.Fake) {
	t.Helper()
	cat, pred := catalogPrediction(t)
	oss, ok := cat.Model("gpt-oss-120b")
	require.True(t, ok)
	pred[oss.Profile] = router.Estimate{Quality: 0.9, OutputTokens: 200}

	oa, groq = upstreamtest.NewOpenAI(t), upstreamtest.NewOpenAI(t)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":  {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://api.openai.com/v1", APIKey: "sk-upstream"},
		"gpt-oss": {Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: "http://api.groq.com/openai/v1", APIKey: "gsk_test"},
	}}
	require.True(t, upstream.PublicAPI(ps.ByName["gpt-oss"].BaseURL), "the test's base URL is Groq's API")
	url = gatewayAtPublicHosts(t, cat, pred, ps, map[string]*upstreamtest.Fake{"api.openai.com": oa, "api.groq.com": groq})
	return url, oa, groq
}

func postToGroqGateway(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	return postTo(t, url, "/v1/responses", body)
}

// Groq's Responses API documents its own built-in tools (browser_search,
// code_interpreter for gpt-oss) and remote MCP, but not OpenAI's web
// search, file search or image generation types. A Responses call that
// declares one of those leaves gpt-oss-120b at Groq out, saying why, as
// a server of one's own is left out, instead of reaching Groq for a 400
// no failover follows: with no model left it is 400 no_eligible and
// nothing is sent; with an OpenAI model beside it, the call goes there.
// A type Groq documents still reaches Groq, the tool as written.
func TestHostedToolsGroqDoesNotDocumentStayOffGroq(t *testing.T) {
	for typ, tool := range map[string]string{
		"web_search_preview": `{"type":"web_search_preview"}`,
		"web_search":         `{"type":"web_search"}`,
		"file_search":        `{"type":"file_search","vector_store_ids":["vs_1"]}`,
		"image_generation":   `{"type":"image_generation"}`,
	} {
		t.Run(typ, func(t *testing.T) {
			url, oa, groq := atGroq(t)
			status, raw := postToGroqGateway(t, url, `{"model":"model-router","input":"What changed in the news today?","tools":[`+tool+`],`+
				`"routing_config":{"models":["gpt-oss-120b"]}}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", raw)
			e := errorOf(t, raw)
			assert.Equal(t, "no_eligible", *e.Error.Code)
			assert.Contains(t, string(raw), `tool type \"`+typ+`\" is run by OpenAI's platform, and provider gpt-oss's base URL (api.groq.com) is Groq's API`)
			assert.Empty(t, groq.Requests(), "the call reached Groq")
			assert.Empty(t, oa.Requests())

			status, raw = postToGroqGateway(t, url, `{"model":"model-router","input":"What changed in the news today?","tools":[`+tool+`],`+
				`"routing_config":{"models":["gpt-oss-120b","gpt-4.1-mini"]}}`)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			var out struct {
				Model     string `json:"model"`
				Selection struct {
					Candidates []struct {
						Model  string `json:"model"`
						Reason string `json:"reason"`
					} `json:"candidates"`
				} `json:"model_selection_details"`
			}
			require.NoError(t, json.Unmarshal(raw, &out))
			assert.Equal(t, "gpt-4.1-mini-2025-04-14", out.Model)
			assert.Empty(t, groq.Requests(), "the call reached Groq")
			assert.Len(t, oa.Requests(), 1)
			for _, c := range out.Selection.Candidates {
				if c.Model == "gpt-oss-120b" {
					assert.Contains(t, c.Reason, `tool type "`+typ+`" is run by OpenAI's platform`)
				}
			}
		})
	}
}

func TestHostedToolsGroqDocumentsReachGroq(t *testing.T) {
	for typ, tool := range map[string]string{
		"code_interpreter": `{"type":"code_interpreter","container":{"type":"auto"}}`,
		"mcp":              `{"type":"mcp","server_label":"docs","server_url":"https://mcp.example.com/mcp","require_approval":"never"}`,
	} {
		t.Run(typ, func(t *testing.T) {
			url, oa, groq := atGroq(t)
			status, raw := postToGroqGateway(t, url, `{"model":"model-router","input":"Compute 2**100.","tools":[`+tool+`],`+
				`"routing_config":{"models":["gpt-oss-120b"]}}`)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			reqs := groq.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/openai/v1/responses", reqs[0].Path)
			var sent struct {
				Tools []json.RawMessage `json:"tools"`
			}
			require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
			require.Len(t, sent.Tools, 1)
			assert.JSONEq(t, tool, string(sent.Tools[0]), "the tool reaches Groq as the client wrote it")
			assert.Empty(t, oa.Requests())
		})
	}
}
