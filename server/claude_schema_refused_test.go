package server

// Anthropic compiles a request's strict schemas into one grammar and
// refuses with a 400 one that passes its documented rules (and the check
// before routing) yet compiles too large or too slowly. That is Claude's
// limit, not the client's mistake: another model is tried, and with none
// left the client gets the refusal as the gateway's 400, in its API's shape.

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// claudeGrammarTooLarge is Anthropic's refusal as its API sends it
// (anthropic-sdk-python#1185).
const claudeGrammarTooLarge = "The compiled grammar is too large, which would cause performance issues. Simplify your tool schemas or reduce the number of strict tools."

func claudeRefusing(message string) upstreamtest.Behavior {
	return upstreamtest.Behavior{FailStatus: http.StatusBadRequest,
		FailBody: `{"type":"error","error":{"type":"invalid_request_error","message":"` + message + `"},"request_id":"req_011CYFKFQUW16kvBsXKy4JSr"}`}
}

func tripParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Plan a weekend in Lisbon")},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "trip", Schema: map[string]any{
				"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}},
				"required": []string{"city"}, "additionalProperties": false,
			}, Strict: openai.Bool(true)},
		}},
	}
}

func TestClaudeRefusingTheSchemaFailsOverToTheNextModel(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", claudeRefusing(claudeGrammarTooLarge))
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
	resp, err := client.Chat.Completions.New(context.Background(), tripParams(), option.WithJSONSet("routing_config", claudeThenMini))
	require.NoError(t, err)
	assert.Equal(t, "mini", resp.Model)
	require.Len(t, e.anthropic.RequestsFor("claude"), 1, "Claude was asked first")
	require.Len(t, e.openai.RequestsFor("mini"), 1)

	r := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "mini", r.Answered)
	require.Len(t, r.Attempts, 2)
	assert.Equal(t, "claude", r.Attempts[0].Model)
	assert.Equal(t, http.StatusBadRequest, r.Attempts[0].Status)
	assert.Contains(t, r.Attempts[0].Error, "The compiled grammar is too large", "the decision log has Claude's words")
	assert.Equal(t, "mini", r.Attempts[1].Model)
}

func TestTheLastModelClaudeRefusingTheSchemaReachesTheClientInItsShape(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", claudeRefusing(claudeGrammarTooLarge))
	st, h, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"trip","strict":true,"schema":`+tripSchema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, st, "%s", body)
	assert.Equal(t, "claude", h.Get("x-modelrouter-model"), "which model refused")
	we := errorOf(t, body)
	assert.Equal(t, "invalid_request_error", we.Error.Type)
	assert.Equal(t, "claude refused the request's JSON schemas: "+claudeGrammarTooLarge, we.Error.Message)
	if assert.NotNil(t, we.Error.Param, "%s", body) {
		assert.Equal(t, "response_format", *we.Error.Param)
	}
}

// Any other 400 of Claude's, beside a schema as well, is the client's
// request: passed on as it came, with no other model asked.
func TestClaudesOtherClientErrorsBesideASchemaDoNotFailOver(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", claudeRefusing("max_tokens: 12000 > 8192, which is the maximum allowed number of output tokens for claude-haiku-4-5"))
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
	params := tripParams()
	params.MaxCompletionTokens = openai.Int(12000)
	_, err := client.Chat.Completions.New(context.Background(), params, option.WithJSONSet("routing_config", claudeThenMini))
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "max_tokens: 12000 > 8192")
	assert.Empty(t, e.openai.RequestsFor("mini"))
}
