package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// tripSchema is a schema Claude's structured outputs take: closed, one
// property optional (which OpenAI's strict mode would refuse), keys in an
// order of the client's that must reach Claude as it is.
const tripSchema = `{"type":"object","properties":{"city":{"type":"string","description":"where"},"days":{"type":"integer"},` +
	`"when":{"type":"string","format":"date"}},"required":["city","days"],"additionalProperties":false}`

// claudeSent is what a translated call sent Claude of structured outputs.
type claudeSent struct {
	OutputConfig *struct {
		Format struct {
			Type   string          `json:"type"`
			Schema json.RawMessage `json:"schema"`
		} `json:"format"`
	} `json:"output_config"`
	Tools []struct {
		Name   string `json:"name"`
		Strict *bool  `json:"strict"`
	} `json:"tools"`
}

func claudeSentOf(t *testing.T, body []byte) claudeSent {
	t.Helper()
	var sent claudeSent
	require.NoError(t, json.Unmarshal(body, &sent), "%s", body)
	return sent
}

// strictOf maps each tool Claude got to whether it was strict.
func (s claudeSent) strictOf() map[string]bool {
	out := map[string]bool{}
	for _, tool := range s.Tools {
		out[tool.Name] = tool.Strict != nil && *tool.Strict
	}
	return out
}

func schemaOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &out))
	return out
}

// A Chat Completions client asking for a json_schema answer (openai-go's
// response_format, what LiteLLM maps to output_config.format) gets Claude
// held to the schema, streamed or not, and its strict functions held to
// their schemas: before, every Claude model was left out of such a call.
func TestChatJSONSchemaReachesClaudeAsOutputConfigFormat(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	params := openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Plan a weekend in Lisbon")},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "trip", Schema: schemaOf(t, tripSchema), Strict: openai.Bool(true)},
		}},
		Tools: []openai.ChatCompletionToolUnionParam{
			openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "book", Strict: openai.Bool(true),
				Parameters: schemaOf(t, `{"type":"object","properties":{"hotel":{"type":"string"}},"required":["hotel"],"additionalProperties":false}`)}),
			openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "loose",
				Parameters: schemaOf(t, `{"type":"object","properties":{"q":{"type":"string"}},"additionalProperties":false}`)}),
			openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "outside", Strict: openai.Bool(true),
				Parameters: schemaOf(t, `{"type":"object","properties":{"q":{"type":"string","minLength":3}},"additionalProperties":false}`)}),
		},
	}
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
	resp, err := client.Chat.Completions.New(context.Background(), params, onlyClaude)
	require.NoError(t, err)
	assert.Equal(t, "claude", resp.Model)
	assert.Equal(t, "Hello from claude.", resp.Choices[0].Message.Content)

	stream := client.Chat.Completions.NewStreaming(context.Background(), params, onlyClaude)
	var text strings.Builder
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from claude.", text.String())

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		sent := claudeSentOf(t, r.Body)
		require.NotNil(t, sent.OutputConfig, "response_format did not reach Claude: %s", r.Body)
		assert.Equal(t, "json_schema", sent.OutputConfig.Format.Type)
		assert.JSONEq(t, tripSchema, string(sent.OutputConfig.Format.Schema))
		assert.Equal(t, map[string]bool{"book": true, "loose": false, "outside": false}, sent.strictOf(),
			"strict where asked and Claude takes the schema; outside's minLength is not in Claude's subset")
	}
}

// The schema reaches Claude byte for byte as the client wrote it (compact):
// its keys' order is the order Claude writes the answer's members in.
func TestChatJSONSchemaReachesClaudeAsWritten(t *testing.T) {
	e := newE2E(t)
	schema := `{"type":"object","additionalProperties":false,"required":["z","a"],"properties":{"z":{"type":"string"},"a":{"type":"number"}}}`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":`+schema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"output_config":{"format":{"type":"json_schema","schema":`+schema+`}}`)
}

// A Responses client's text.format json_schema and strict function tools
// reach Claude as a Chat Completions client's do.
func TestResponsesJSONSchemaReachesClaudeAsOutputConfigFormat(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	params := responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Plan a weekend in Lisbon")},
		Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
			OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{Name: "trip", Schema: schemaOf(t, tripSchema), Strict: openai.Bool(true)},
		}},
		Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "book", Strict: openai.Bool(true),
			Parameters: schemaOf(t, `{"type":"object","properties":{"hotel":{"type":"string"}},"required":["hotel"],"additionalProperties":false}`)}}},
	}
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
	resp, err := client.Responses.New(context.Background(), params, onlyClaude)
	require.NoError(t, err)
	assert.Equal(t, "claude", resp.Model)
	assert.Equal(t, "Hello from claude.", resp.OutputText())
	// The answer repeats the format it was held to, as OpenAI's does.
	assert.Equal(t, "json_schema", string(resp.Text.Format.Type))
	assert.Equal(t, "trip", resp.Text.Format.Name)

	stream := client.Responses.NewStreaming(context.Background(), params, onlyClaude)
	var text strings.Builder
	var completed responses.Response
	for stream.Next() {
		switch ev := stream.Current(); ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			completed = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from claude.", text.String())
	assert.Equal(t, "json_schema", string(completed.Text.Format.Type))

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		sent := claudeSentOf(t, r.Body)
		require.NotNil(t, sent.OutputConfig, "text.format did not reach Claude: %s", r.Body)
		assert.Equal(t, "json_schema", sent.OutputConfig.Format.Type)
		assert.JSONEq(t, tripSchema, string(sent.OutputConfig.Format.Schema))
		assert.Equal(t, map[string]bool{"book": true}, sent.strictOf())
	}
}

// A strict schema outside Claude's subset would be refused by Anthropic
// with a 400 that does not fail over: Claude is left out before routing,
// with the rule named, and the call goes to a model that takes it; with
// only Claude to choose from, the client gets a 400 saying why.
func TestJSONSchemaOutsideClaudesSubsetLeavesClaudeOut(t *testing.T) {
	e := newE2E(t)
	schema := `{"type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"],"additionalProperties":false}`
	why := `provider anthropic cannot carry response_format.json_schema.schema: $.properties.name uses "minLength", which Claude's structured outputs do not support`
	chat := func(models string) string {
		return `{"model":"model-router","messages":[{"role":"user","content":"hi"}],` +
			`"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":` + schema + `}},"routing_config":{"models":[` + models + `]}}`
	}

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", chat(`"claude","mini"`))
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.RequestsFor("mini"), 1)
	assert.Empty(t, e.anthropic.Requests())
	recs := e.log.waitFor(t, 1)
	assert.Equal(t, "mini", recs[0].Decision.ChosenID)
	assert.Contains(t, reasonOf(recs[0].Decision, "claude"), why, "the decision log names the rule")

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", chat(`"claude"`))
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	werr := errorOf(t, body)
	assert.Equal(t, "no_eligible", *werr.Error.Code)
	assert.Contains(t, werr.Error.Message, why)

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hi",`+
		`"text":{"format":{"type":"json_schema","name":"o","strict":true,"schema":`+schema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message,
		`provider anthropic cannot carry text.format.schema: $.properties.name uses "minLength", which Claude's structured outputs do not support`)
	assert.Empty(t, e.anthropic.Requests())
}

// looseSchema is what the Vercel AI SDK and LangChain send without
// strict: constraints Claude's structured outputs do not take, objects
// left without additionalProperties; looseSchemaSent is it brought within
// Claude's subset, keys in the client's order.
const (
	looseSchema = `{"type":"object","properties":{"name":{"type":"string","minLength":1},` +
		`"stars":{"type":"integer","description":"the rating","maximum":5},"tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["name","stars"]}`
	looseSchemaSent = `{"type":"object","properties":{"name":{"type":"string","description":"{minLength: 1}"},` +
		`"stars":{"type":"integer","description":"the rating\n\n{maximum: 5}"},"tags":{"type":"array","items":{"type":"string"},"description":"{maxItems: 3}"}},` +
		`"required":["name","stars"],"additionalProperties":false}`
)

// A json_schema format without strict gives the model the schema without
// holding it to it: Claude gets the schema brought within its subset as
// Anthropic's SDKs bring it (objects closed, the constraints it does not
// take written into their descriptions), on Chat Completions and
// Responses alike, where before it was left out. With strict, the same
// schema still leaves Claude out.
func TestJSONSchemaWithoutStrictReachesClaudeWithinItsSubset(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
	resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Review the film")},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "review", Schema: json.RawMessage(looseSchema)},
		}},
	}, onlyClaude)
	require.NoError(t, err)
	assert.Equal(t, "claude", resp.Model)
	rresp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Review the film")},
		Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
			OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{Name: "review", Schema: schemaOf(t, looseSchema), Strict: openai.Bool(false)},
		}},
	}, onlyClaude)
	require.NoError(t, err)
	assert.Equal(t, "claude", rresp.Model)

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	assert.Contains(t, string(reqs[0].Body), `"output_config":{"format":{"type":"json_schema","schema":`+looseSchemaSent+`}}`)
	sent := claudeSentOf(t, reqs[1].Body)
	require.NotNil(t, sent.OutputConfig, "text.format did not reach Claude: %s", reqs[1].Body)
	assert.JSONEq(t, looseSchemaSent, string(sent.OutputConfig.Format.Schema))

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":`+looseSchema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message,
		`provider anthropic cannot carry response_format.json_schema.schema: $ is an object without "additionalProperties": false, which Claude's structured outputs require`)
	assert.Len(t, e.anthropic.RequestsFor("claude"), 2)
}

// A map (an object whose additionalProperties is a schema) cannot be
// closed without forbidding what the client allows: without strict too,
// Claude is left out, the decision log naming the rule as before.
func TestJSONSchemaWithoutStrictWithAMapLeavesClaudeOut(t *testing.T) {
	e := newE2E(t)
	schema := `{"type":"object","properties":{"name":{"type":"string","maxLength":9},"scores":{"type":"object","additionalProperties":{"type":"number"}}},"required":["name"]}`
	why := `provider anthropic cannot carry response_format.json_schema.schema: $.properties.scores is an object without "additionalProperties": false, which Claude's structured outputs require`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+schema+`}},"routing_config":{"models":["claude","mini"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.RequestsFor("mini"), 1)
	assert.Empty(t, e.anthropic.Requests())
	recs := e.log.waitFor(t, 1)
	assert.Equal(t, "mini", recs[0].Decision.ChosenID)
	assert.Contains(t, reasonOf(recs[0].Decision, "claude"), why)

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hi",`+
		`"text":{"format":{"type":"json_schema","name":"o","strict":false,"schema":`+schema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message,
		`provider anthropic cannot carry text.format.schema: $.properties.scores is an object without "additionalProperties": false, which Claude's structured outputs require`)
	assert.Empty(t, e.anthropic.Requests())
}

// unionSchema is what Zod's converters write for a discriminated union, a
// tuple met twice (z.tuple([z.string(), z.number()]), the second time a
// $ref to the first), Pydantic's tuple[int, str] and a non-empty object
// without strict; unionSchemaSent is it brought within Claude's
// subset as Anthropic's SDKs bring it: oneOf sent as anyOf, the tuples,
// minProperties and not written into descriptions, each tuple given items
// any of its schemas (an array may not leave its items unconstrained),
// and the $ref written out.
const (
	unionSchema = `{"type":"object","properties":{"shape":{"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number"}},"required":["kind","r"]},` +
		`{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"]}]},` +
		`"at":{"type":"array","minItems":2,"maxItems":2,"items":[{"type":"string"},{"type":"number"}]},"to":{"$ref":"#/properties/at"},` +
		`"pair":{"maxItems":2,"minItems":2,"prefixItems":[{"type":"integer"},{"type":"string"}],"title":"Pair","type":"array"},` +
		`"tags":{"type":"object","properties":{"a":{"type":"string","not":{"const":""}},"b":{"type":"string"}},"minProperties":1}},"required":["shape","at"]}`
	unionSchemaSent = `{"type":"object","properties":{"shape":{"anyOf":[{"type":"object","properties":{"kind":{"type":"string","const":"circle"},"r":{"type":"number"}},"required":["kind","r"],"additionalProperties":false},` +
		`{"type":"object","properties":{"kind":{"type":"string","const":"square"},"side":{"type":"number"}},"required":["kind","side"],"additionalProperties":false}]},` +
		`"at":{"type":"array","description":"{minItems: 2, maxItems: 2, items: [{\"type\":\"string\"},{\"type\":\"number\"}]}","items":{"anyOf":[{"type":"string"},{"type":"number"}]}},` +
		`"to":{"type":"array","description":"{minItems: 2, maxItems: 2, items: [{\"type\":\"string\"},{\"type\":\"number\"}]}","items":{"anyOf":[{"type":"string"},{"type":"number"}]}},` +
		`"pair":{"title":"Pair","type":"array","description":"{minItems: 2, maxItems: 2, prefixItems: [{\"type\":\"integer\"},{\"type\":\"string\"}]}","items":{"anyOf":[{"type":"integer"},{"type":"string"}]}},` +
		`"tags":{"type":"object","properties":{"a":{"type":"string","description":"{not: {\"const\":\"\"}}"},"b":{"type":"string"}},"additionalProperties":false,"description":"{minProperties: 1}"}},` +
		`"required":["shape","at"],"additionalProperties":false}`
)

// Without strict, a oneOf, a tuple, minProperties, not and
// zod-to-json-schema's $ref to a property reach Claude, where before they
// left it out; with strict a oneOf still leaves Claude out, named.
func TestJSONSchemaWithoutStrictReachesClaudeWithOneOfTuplesAndNot(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+unionSchema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"output_config":{"format":{"type":"json_schema","schema":`+unionSchemaSent+`}}`)

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":`+
		`{"type":"object","properties":{"s":{"oneOf":[{"type":"string"},{"type":"number"}]}},"additionalProperties":false}}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message,
		`provider anthropic cannot carry response_format.json_schema.schema: $.properties.s uses "oneOf", which Claude's structured outputs do not support`)
	assert.Len(t, e.anthropic.RequestsFor("claude"), 1)
}

// A boolean schema (true: any value) cannot be brought within: without
// strict too, Claude is left out, the decision log naming the rule.
func TestJSONSchemaWithoutStrictWithABooleanSchemaLeavesClaudeOut(t *testing.T) {
	e := newE2E(t)
	schema := `{"type":"object","properties":{"name":{"type":"string","maxLength":9},"extra":true}}`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+schema+`}},"routing_config":{"models":["claude","mini"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.RequestsFor("mini"), 1)
	assert.Empty(t, e.anthropic.Requests())
	recs := e.log.waitFor(t, 1)
	assert.Contains(t, reasonOf(recs[0].Decision, "claude"),
		`provider anthropic cannot carry response_format.json_schema.schema: $.properties.extra is not a schema (a JSON object)`)
}

// Claude Opus 4.1 has no structured outputs (the shipped catalog says so):
// a json_schema call leaves it out; json_object leaves every Claude model
// out, as before (the Messages API has no JSON mode without a schema).
func TestJSONSchemaLeavesOutClaudeWithoutStructuredOutput(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	var opus41 router.Capabilities
	for _, m := range cat.Versions[0].Models {
		if m.Name == "claude-opus-4-1" {
			opus41 = m.Capabilities
		}
	}
	require.True(t, opus41.Tools, "claude-opus-4-1 is in the shipped catalog")
	e := newE2E(t, func(c *Config) {
		tc := testCatalog()
		for i, m := range tc.Versions[0].Models {
			if m.ID == "claude" {
				tc.Versions[0].Models[i].Capabilities = opus41
			}
		}
		rt, err := router.New(router.Config{Catalog: tc, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+tripSchema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message, "no structured output support")

	e = newE2E(t)
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_object"},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message, "provider anthropic cannot carry response_format json_object")
	assert.Empty(t, e.anthropic.Requests())
}

// reasonOf is the decision's reason for model, "" when it has none.
func reasonOf(d router.Decision, model string) string {
	for _, c := range d.Candidates {
		if c.Model == model {
			return c.Reason
		}
	}
	return ""
}

// With require_parameters, a json_schema format Claude takes is carried
// as sent (as output_config.format), on Chat Completions and Responses
// alike: Claude stays.
func TestJSONSchemaKeepsClaudeUnderRequireParameters(t *testing.T) {
	e := newE2E(t)
	routing := `"routing_config":{"models":["claude"],"require_parameters":true}`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+tripSchema+`}},`+routing+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hi",`+
		`"text":{"format":{"type":"json_schema","name":"o","schema":`+tripSchema+`}},`+routing+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	// A schema without strict, brought within Claude's rules, is carried too.
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":`+looseSchema+`}},`+routing+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.anthropic.RequestsFor("claude"), 3)
}
