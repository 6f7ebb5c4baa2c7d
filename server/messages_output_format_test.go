package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// answerSchema is what @anthropic-ai/sdk's jsonSchemaOutputFormat sends
// for {answer: number}: every object closed, as its transform makes them.
const answerSchema = `{"type":"object","properties":{"answer":{"type":"number"}},"additionalProperties":false,"required":["answer"]}`

// chatSent is what the structured-output tests read of the Chat
// Completions body a Messages call was translated to.
type chatSent struct {
	ResponseFormat struct {
		JSONSchema struct {
			Schema json.RawMessage `json:"schema"`
			Strict bool            `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Tools []struct {
		Function struct {
			Parameters json.RawMessage `json:"parameters"`
			Strict     bool            `json:"strict"`
		} `json:"function"`
	} `json:"tools"`
}

// onlyChatSentTo decodes the one Chat Completions body model was sent.
func onlyChatSentTo(t *testing.T, e *e2e, model string) chatSent {
	t.Helper()
	reqs := e.openai.RequestsFor(model)
	require.Len(t, reqs, 1)
	var sent chatSent
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	return sent
}

// candidateReasons maps each candidate in a Messages answer's
// model_selection_details to its reason.
func candidateReasons(out map[string]any) map[string]string {
	reasons := map[string]string{}
	for _, c := range out["model_selection_details"].(map[string]any)["candidates"].([]any) {
		c := c.(map[string]any)
		reasons[c["model"].(string)] = c["reason"].(string)
	}
	return reasons
}

// Anthropic's structured outputs (`output_config.format`, what
// @anthropic-ai/sdk's messages.parse with jsonSchemaOutputFormat/
// zodOutputFormat sends, and @ai-sdk/anthropic's generateObject for Claude
// models) must not be lost on the way to an OpenAI-format model: dropped,
// the model answers prose and the SDK's parse fails ("Failed to parse
// structured output"). Translated, it is Chat Completions' json_schema
// response_format, which those models take.
func TestMessagesStructuredOutputFormatReachesAnOpenAIModel(t *testing.T) {
	e := newE2E(t)
	// @anthropic-ai/sdk 1.14 messages.parse body (routing_config pins mini).
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"What is 2+2?"}],`+
		`"output_config":{"format":{"type":"json_schema","schema":`+answerSchema+`}},`+
		`"routing_config":{"models":["mini"]}}`)
	require.Equal(t, http.StatusOK, status, out)
	reqs := e.openai.RequestsFor("mini")
	require.Len(t, reqs, 1)
	var sent struct {
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Name   string          `json:"name"`
				Schema json.RawMessage `json:"schema"`
				Strict bool            `json:"strict"`
			} `json:"json_schema"`
		} `json:"response_format"`
		OutputConfig json.RawMessage `json:"output_config"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	require.NotNil(t, sent.ResponseFormat, "output_config.format was dropped: %s", reqs[0].Body)
	assert.Equal(t, "json_schema", sent.ResponseFormat.Type)
	assert.Equal(t, "response", sent.ResponseFormat.JSONSchema.Name, "OpenAI requires a name")
	assert.JSONEq(t, answerSchema, string(sent.ResponseFormat.JSONSchema.Schema))
	assert.True(t, sent.ResponseFormat.JSONSchema.Strict, "held to the schema, as Claude is")
	assert.Nil(t, sent.OutputConfig, "Chat Completions has no output_config")
}

// A model reached through the translation without structured output
// cannot follow the schema: it is left out before routing, while Claude,
// which takes output_config.format itself, stays, even where the catalog
// marks it without structured output (claude-opus-4-1's entry: what a
// translated Chat Completions or Responses call may ask of it).
func TestMessagesStructuredOutputLeavesOutModelsThatCannotTakeIt(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		for i, m := range cat.Versions[0].Models {
			if m.ID == "claude" {
				cat.Versions[0].Models[i].Capabilities = router.Capabilities{Tools: true, Vision: true}
			}
		}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"What is 2+2?"}],`+
		`"output_config":{"format":{"type":"json_schema","schema":`+answerSchema+`}},`+
		`"routing_config":{"models":["nano","claude"],"mode":"cost"}}`)
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "claude", out["model"])
	assert.Empty(t, e.openai.Requests())
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"output_config":{"format"`, "Claude gets it as sent")

	reasons := candidateReasons(out)
	assert.Equal(t, "excluded: no structured output support", reasons["nano"])
}

// A format of a type the translation has no form for goes to Claude only;
// a format that is no JSON schema object is the client's 400.
func TestMessagesOutputFormatWithoutAChatFormIsClaudesOnly(t *testing.T) {
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"What is 2+2?"}],"output_config":{"format":{"type":"regex","pattern":"[0-9]+"}},`+
		`"routing_config":{"models":["mini"]}}`)
	require.Equal(t, http.StatusBadRequest, status, out)
	assert.Contains(t, out["error"].(map[string]any)["message"], `provider openai cannot carry output_config.format of type "regex"`)

	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"What is 2+2?"}],"output_config":{"format":{"type":"json_schema","schema":"number"}}}`)
	require.Equal(t, http.StatusBadRequest, status, out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "output_config.format.schema")
	assert.Empty(t, e.openai.Requests())
	assert.Empty(t, e.anthropic.Requests())
}

// A schema outside OpenAI's strict mode (here a minLength, which zod's
// .min(1) writes) would be refused strict, so it reaches an OpenAI-format
// model with strict false: given the schema, not held to it. A client that
// sets require_parameters asks to be held to it: those models are left
// out, and Claude, which takes the schema as sent, answers.
func TestMessagesSchemaOutsideStrictModeGoesNonStrictUnlessRequireParameters(t *testing.T) {
	const bounded = `{"type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"],"additionalProperties":false}`
	call := func(routing string) string {
		return `{"model":"model-router","max_tokens":1024,"messages":[{"role":"user","content":"Name a colour."}],` +
			`"output_config":{"format":{"type":"json_schema","schema":` + bounded + `}},"routing_config":` + routing + `}`
	}
	e := newE2E(t)

	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", call(`{"models":["mini"]}`))
	require.Equal(t, http.StatusOK, status, out)
	sent := onlyChatSentTo(t, e, "mini")
	assert.JSONEq(t, bounded, string(sent.ResponseFormat.JSONSchema.Schema), "the schema as sent")
	assert.False(t, sent.ResponseFormat.JSONSchema.Strict, "OpenAI refuses this schema in strict mode")

	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", call(`{"models":["mini","claude"],"require_parameters":true}`))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "claude", out["model"])
	assert.Len(t, e.openai.RequestsFor("mini"), 1, "no second call reached mini")
	claude := e.anthropic.RequestsFor("claude")
	require.Len(t, claude, 1)
	assert.Contains(t, string(claude[0].Body), `"minLength":1`, "Claude gets the schema as sent")
	reasons := candidateReasons(out)
	assert.Equal(t, "excluded: require_parameters and unsupported output_config (not carried as sent by the translation to its provider's API; "+
		`output_config.format.schema: $.properties.name uses "minLength", which strict mode does not support)`, reasons["mini"])
}

// With require_parameters, a model left out for a schema outside OpenAI's
// strict mode says which rule the schema breaks and where, so the client
// knows what to change: in model_selection_details, in the decision log,
// and in the error when no model is left.
func TestRequireParametersNamesTheStrictModeRuleASchemaBreaks(t *testing.T) {
	const nested = `{"type":"object","properties":{"user":{"type":"object","properties":{"name":{"type":"string","minLength":1},` +
		`"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true}},"required":["name","tags"],"additionalProperties":false}},` +
		`"required":["user"],"additionalProperties":false}`
	const rule = `output_config.format.schema: $.properties.user.properties.name uses "minLength", which strict mode does not support`
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"Name a user."}],"output_config":{"format":{"type":"json_schema","schema":`+nested+`}},`+
		`"routing_config":{"models":["mini"],"require_parameters":true}}`)
	require.Equal(t, http.StatusBadRequest, status, out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "mini (require_parameters and unsupported output_config (not carried as sent by the translation to its provider's API; "+rule+"))")
	assert.Empty(t, e.openai.Requests())

	recs := e.log.waitFor(t, 1)
	reasons := map[string]string{}
	for _, c := range recs[0].Decision.Candidates {
		reasons[c.Model] = c.Reason
	}
	assert.Contains(t, reasons["mini"], rule, "the decision log keeps the reason the client read")
}

// The structured outputs beta's first form, a top-level output_format
// (deprecated for output_config.format, still taken by Anthropic and sent
// by its SDKs' beta.messages with OutputFormat), asks for the same: an
// OpenAI-format model gets it as its json_schema response_format, not a
// call without it, whose prose answer the SDK's parse would fail on; and
// a model without structured output is left out before routing, as for
// output_config.format.
func TestMessagesLegacyOutputFormatReachesAnOpenAIModel(t *testing.T) {
	e := newE2E(t)
	call := func(models string) string {
		return `{"model":"model-router","max_tokens":1024,"messages":[{"role":"user","content":"What is 2+2?"}],` +
			`"output_format":{"type":"json_schema","schema":` + answerSchema + `},"routing_config":{"models":` + models + `,"mode":"cost"}}`
	}
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", call(`["mini"]`))
	require.Equal(t, http.StatusOK, status, out)
	reqs := e.openai.RequestsFor("mini")
	require.Len(t, reqs, 1)
	var sent struct {
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Schema json.RawMessage `json:"schema"`
				Strict bool            `json:"strict"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	require.NotNil(t, sent.ResponseFormat, "output_format was dropped: %s", reqs[0].Body)
	assert.Equal(t, "json_schema", sent.ResponseFormat.Type)
	assert.JSONEq(t, answerSchema, string(sent.ResponseFormat.JSONSchema.Schema))
	assert.True(t, sent.ResponseFormat.JSONSchema.Strict)

	// nano, the cheapest, has no structured output: mini answers.
	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", call(`["nano","mini"]`))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "mini", out["model"])
	assert.Empty(t, e.openai.RequestsFor("nano"))
}
