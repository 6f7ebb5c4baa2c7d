package upstream

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/modelrouter/modelrouter/router"
)

// claudeOutputConfig is the Messages API's output_config as the Chat
// Completions and Responses translations send it: a JSON schema the
// answer's text is held to (Claude's structured outputs).
type claudeOutputConfig struct {
	Format claudeOutputFormat `json:"format"`
}

type claudeOutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

// claudeFormat is the output_config a client's json_schema format becomes
// for m (param names where the client put the schema, for the error), with
// what the schema counts toward the request's limits on strict schemas.
// A model without structured output, or a schema outside Claude's subset
// (claudeSchemaProblem), is an EInvalid error naming why: the server
// leaves such a model out before routing (StructuredOutputRefusal), so it
// is met here only by a call that reaches m some other way.
func claudeFormat(param string, schema json.RawMessage, strict bool, m router.Model) (*claudeOutputConfig, claudeSchemaCount, error) {
	if !m.Capabilities.StructuredOutput {
		return nil, claudeSchemaCount{}, router.Errorf(router.EInvalid, "%s json_schema is not supported by %s", formatParam(param), modelID(m))
	}
	sent, count, why := claudeOutputSchema(schema, strict)
	if why != "" {
		return nil, claudeSchemaCount{}, router.Errorf(router.EInvalid, "%s json_schema is not supported by %s: %s: %s", formatParam(param), modelID(m), param, why)
	}
	return &claudeOutputConfig{Format: claudeOutputFormat{Type: "json_schema", Schema: sent}}, count, nil
}

// claudeOutputSchema is the schema Claude is sent for a json_schema
// format's schema, with what it counts toward the request's limits, or why
// Claude's structured outputs cannot take it. A strict format's schema is
// sent as written (less its root's annotations) or not at all: the client
// asked to be held to it. A format without strict gives the model the
// schema without holding it to it, so its schema is first brought within
// Claude's subset (claudeWithinSubset), and what still breaks a rule is
// named from the schema brought within. Zod's safe-integer bounds are
// left out first and a discriminated union's oneOf written as anyOf,
// strict or not, since both allow the same answers (claudeSameAnswers).
func claudeOutputSchema(schema json.RawMessage, strict bool) (json.RawMessage, claudeSchemaCount, string) {
	schema = claudeSameAnswers(schema)
	count, why := claudeSchemaCheck(schema)
	if why != "" && !strict {
		schema = claudeWithinSubset(schema)
		count, why = claudeSchemaCheck(schema)
	}
	if why != "" {
		return nil, claudeSchemaCount{}, why
	}
	return claudeWithoutRootAnnotations(schema), count, ""
}

// formatStrict is a json_schema format's "strict": asked only where it is
// true. OpenAI refuses one of another type; the translation need not
// (before it read strict, it carried such a format).
type formatStrict bool

func (s *formatStrict) UnmarshalJSON(b []byte) error {
	*s = string(bytes.TrimSpace(b)) == "true"
	return nil
}

// formatParam is the member that names the format's type, for a schema at
// param.
func formatParam(param string) string {
	if param == responsesSchemaParam {
		return "text.format"
	}
	return "response_format"
}

// Where each API puts a json_schema format's schema.
const (
	chatSchemaParam      = "response_format.json_schema.schema"
	responsesSchemaParam = "text.format.schema"
)

// claudeStrictTools makes strict each of tools whose function asked for
// strict (asked, by index) where Claude holds its input to its schema: m
// has structured output, the schema is in Claude's subset
// (claudeSchemaProblem), and the request stays within Claude's limits on
// strict schemas, counted from used (the output format's), tool by tool
// in order; a strict tool's schema goes without Zod's safe-integer bounds
// and with a discriminated union's oneOf as anyOf (claudeSameAnswers).
// Any other tool goes without strict, as it did before Claude
// had structured outputs: the model is given the schema, not held to it,
// rather than the call refused with a 400 that would not fail over.
func claudeStrictTools(tools []anthropicTool, asked []bool, used claudeSchemaCount, m router.Model) {
	if !m.Capabilities.StructuredOutput {
		return
	}
	strict := 0
	for i := range tools {
		if i >= len(asked) || !asked[i] || strict == claudeMaxStrictTools {
			continue
		}
		schema := claudeSameAnswers(tools[i].InputSchema)
		count, why := claudeSchemaCheck(schema)
		if why != "" || used.plus(count).overLimit() != "" {
			continue
		}
		used = used.plus(count)
		tools[i].Strict = true
		tools[i].InputSchema = claudeWithoutRootAnnotations(schema)
		strict++
	}
}

// NeedClaudeSchema is, among the types passed to Supports, a Chat
// Completions or Responses call's json_schema format whose schema (at
// param) is outside Claude's structured outputs (claudeSchemaProblem),
// once brought within them where the format is not strict
// (claudeOutputSchema), named with the rule it breaks: the translation to Claude cannot carry
// it (a ContentPrefix need), so Claude is left out before routing rather
// than refused with a 400 that would not fail over. "" for a schema
// Claude takes. (A model without structured output is left out by the
// router's own filter.)
func NeedClaudeSchema(param string, schema json.RawMessage, strict bool) string {
	if _, _, why := claudeOutputSchema(schema, strict); why != "" {
		return ContentPrefix + param + ": " + why
	}
	return ""
}

// chatLoosensStrictTool reports whether a Chat Completions call's strict
// function reaches Claude model m without strict (claudeStrictTools), for
// require_parameters: the tools are not carried as sent.
func chatLoosensStrictTool(top map[string]json.RawMessage, m router.Model) bool {
	var tools []chatTool
	if !set(top["tools"]) || json.Unmarshal(top["tools"], &tools) != nil {
		return false
	}
	var f *chatResponseFormat
	var format json.RawMessage
	var strict bool
	if set(top["response_format"]) && json.Unmarshal(top["response_format"], &f) == nil && f != nil && f.Type == "json_schema" {
		format, strict = f.JSONSchema.Schema, bool(f.JSONSchema.Strict)
	}
	out := make([]anthropicTool, len(tools))
	asked := make([]bool, len(tools))
	for i, t := range tools {
		out[i].InputSchema, asked[i] = t.Function.Parameters, t.Function.Strict
	}
	return loosensStrict(format, strict, out, asked, m)
}

// responsesLoosensStrictTool is chatLoosensStrictTool for a Responses
// call.
func responsesLoosensStrictTool(top map[string]json.RawMessage, m router.Model) bool {
	var tools []responsesTool
	if !set(top["tools"]) || json.Unmarshal(top["tools"], &tools) != nil {
		return false
	}
	var text responsesFormat
	var format json.RawMessage
	var strict bool
	if set(top["text"]) && json.Unmarshal(top["text"], &text) == nil && text.Format != nil && text.Format.Type == "json_schema" {
		format, strict = text.Format.Schema, bool(text.Format.Strict)
	}
	out := make([]anthropicTool, len(tools))
	asked := make([]bool, len(tools))
	for i, t := range tools {
		out[i].InputSchema, asked[i] = t.Parameters, t.Strict
	}
	return loosensStrict(format, strict, out, asked, m)
}

// loosensStrict reports whether one of tools that asked for strict goes
// without it beside an output format with schema format (nil for none),
// strict or not.
func loosensStrict(format json.RawMessage, strict bool, tools []anthropicTool, asked []bool, m router.Model) bool {
	if !slices.Contains(asked, true) {
		return false
	}
	var used claudeSchemaCount
	if format != nil {
		_, used, _ = claudeOutputSchema(format, strict)
	}
	claudeStrictTools(tools, asked, used, m)
	for i := range tools {
		if asked[i] && !tools[i].Strict {
			return true
		}
	}
	return false
}
