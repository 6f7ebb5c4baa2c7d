package server

// A provider's 404 about an id the client gave in a tool (a vector store a
// file_search tool searches, a code interpreter's container) is the
// client's: its SDK must see NotFoundError with the provider's message, the
// same as calling OpenAI directly, not a 502 blaming the gateway's key.

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestAProviders404AboutAToolsStoredIDReachesTheClientAs404(t *testing.T) {
	tests := []struct {
		name string
		tool responses.ToolUnionParam
		body string
	}{
		{
			name: "file_search vector store",
			tool: responses.ToolParamOfFileSearch([]string{"vs_missing"}),
			body: `{"error":{"message":"Vector store with id 'vs_missing' not found.","type":"invalid_request_error","param":"tools","code":null}}`,
		},
		{
			name: "code_interpreter container",
			tool: responses.ToolParamOfCodeInterpreter("cntr_missing"),
			body: `{"error":{"message":"Container with id 'cntr_missing' not found.","type":"invalid_request_error","param":"tools","code":null}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			for _, m := range []string{"large", "mini"} {
				e.openai.Set(m, upstreamtest.Behavior{FailStatus: http.StatusNotFound, FailBody: tt.body})
			}
			client := e.clients()["v1"]
			_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
				Model: "model-router",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What does the report say?")},
				Tools: []responses.ToolUnionParam{tt.tool},
			}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"large", "mini"}}))
			var apiErr *openai.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, "the client's id is unknown: %s", apiErr.Message)
			assert.Contains(t, apiErr.Message, "not found")
			assert.NotEqual(t, "false", apiErr.Response.Header.Get("x-should-retry"),
				"the client fixes its id; nothing says the gateway is misconfigured")
		})
	}
}
