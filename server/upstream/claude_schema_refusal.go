package upstream

// Claude's refusal of the schemas a request holds it to. The check before
// routing (claudeSchemaProblem) leaves Claude out of a schema outside
// Anthropic's documented subset, but Anthropic compiles the request's
// strict schemas (output_config.format and each strict tool's input_schema)
// into one grammar, and refuses with a 400 what passes the documented
// rules and still compiles too large or too slowly. That is Claude's limit,
// not a mistake in the client's call, which another model takes: the next
// model is tried, as for a server's smaller context window (contextRefused).

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// claudeSchemaRefusals are, lowercased, the words of Anthropic's 400
// invalid_request_error refusing a request's strict schemas, as its API
// sends them (quoted in anthropic-sdk-python#1185 and in projects that met
// them): "The compiled grammar is too large, which would cause performance
// issues. Simplify your tool schemas or reduce the number of strict
// tools.", "Schemas contains too many optional parameters (41), which would
// make grammar compilation inefficient. ... (limit: 24).", "Schemas
// contains too many parameters with union types (49 parameters with type
// arrays or anyOf) which exceeds the limit: 16", "Too many strict tools
// (21). The maximum number of strict tools supported is 20.",
// "output_config.format.schema: Schema is too complex for compilation" and
// "Grammar compilation timed out.", and any message naming the schema of
// the output_config.format (or the older output_format) Claude was sent
// (claudeFormatSchemaNamed).
var claudeSchemaRefusals = []string{
	"schema is too complex",
	"schemas contains too many",
	"compiled grammar",
	"grammar compilation",
	"too many strict tools",
}

// claudeRefusedSchema reports Claude's 400 refusal of the structured
// output or strict tool schemas the attempt sent (claudeSchemaRefusals):
// only an invalid_request_error whose message names them, and only when
// the request held Claude to a schema, so a 400 about anything else (a
// max_tokens too large, a malformed message) stays the client's.
func (a *attempt) claudeRefusedSchema(status int, raw []byte) bool {
	if status != http.StatusBadRequest || a.provider.Kind != KindAnthropic {
		return false
	}
	e, ok := readRefusal(raw)
	if !ok || e.Type != "invalid_request_error" {
		return false
	}
	msg := strings.ToLower(e.Message)
	named := claudeFormatSchemaNamed(msg)
	for _, words := range claudeSchemaRefusals {
		named = named || strings.Contains(msg, words)
	}
	if !named {
		return false
	}
	format, strictTool := heldToSchemas(a.claudeBody)
	return format || strictTool
}

// claudeFormatSchemaNamed reports whether msg (lowercased) names the
// output format and its schema ("output_config.format.schema: ..."). The
// format named alone is not enough: Anthropic also refuses the format
// beside what the client sent with it (citations, a prefilled answer),
// which is the client's call to change, not a schema another model may
// take; "json_schema", the format's type, is not its schema.
func claudeFormatSchemaNamed(msg string) bool {
	if !strings.Contains(msg, "output_config.format") && !strings.Contains(msg, "output_format") {
		return false
	}
	return strings.Contains(strings.ReplaceAll(msg, "json_schema", ""), "schema")
}

// heldToSchemas reads what in a Messages request body holds Claude to a
// schema: an output_config.format (or the older top-level output_format),
// and a tool with "strict": true. Read only on a refusal, or for Claude
// on Foundry (withStructuredOutputsBeta), not on every request.
func heldToSchemas(body requestBody) (format, strictTool bool) {
	if len(body.parts) == 0 {
		return false, false
	}
	whole := body.parts[0]
	if len(body.parts) > 1 {
		whole = bytes.Join(body.parts, nil)
	}
	obj, ok := jsonscan.ParseObject(whole)
	if !ok {
		return false, false
	}
	format = set(obj.Get("output_format"))
	if oc, ok := jsonscan.ParseObject(obj.Get("output_config")); ok && set(oc.Get("format")) {
		format = true
	}
	jsonscan.EachElement(obj.Get("tools"), func(tool []byte) bool {
		t, ok := jsonscan.ParseObject(tool)
		strictTool = ok && string(bytes.TrimSpace(t.Get("strict"))) == "true"
		return !strictTool
	})
	return format, strictTool
}

// refusedSchema is the failure of an attempt whose schemas Claude refused
// (claudeRefusedSchema): the model still answers other calls, so its
// health does not count it, and another model may take the schema. The
// last model's refusal is the gateway's 400 with Claude's words, naming
// where the client put the schema, unless an earlier model may take the
// call on a retry (as for a context refusal): then the call is the 502 a
// client retries.
func (a *attempt) refusedSchema(raw []byte) *retryable {
	if a.last && !a.afterOutage {
		msg, _ := errorMessage(raw)
		a.refuseAsGateway(&router.Error{Code: router.EInvalid, Param: a.schemaParam(),
			Message: modelID(a.model) + " refused the request's JSON schemas: " + strings.TrimSpace(a.f.redact(msg))})
	}
	return &retryable{unfit: true,
		msg: a.f.refusalText(http.StatusBadRequest, raw) + " (Claude refused the request's JSON schemas)"}
}

// schemaParam is where the client put the schema Claude was held to: its
// format (response_format, text.format, output_config.format) when Claude
// was sent one, else its tools. Anthropic's error shape has no param, so
// a Messages client never reads it (nor tells output_config.format from
// the older output_format).
func (a *attempt) schemaParam() string {
	if format, _ := heldToSchemas(a.claudeBody); !format {
		return "tools"
	}
	switch a.call.API {
	case APIChatCompletions:
		return "response_format"
	case APIResponses:
		return "text.format"
	}
	return "output_config.format"
}
