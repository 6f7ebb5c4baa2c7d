package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zodTicketSchema is what @anthropic-ai/sdk 1.14's zodOutputFormat sends
// for z.object({title: z.string(), priority: z.enum([...]), kind:
// z.literal("ticket"), assignee: z.discriminatedUnion("type", [...]),
// labels: z.array(z.enum([...])), due: z.enum([...]).nullable(),
// estimate: z.union([z.string(), z.number()])}), captured from
// messages.parse: its transform leaves each enum and const without its
// type and writes the union as a list of types, which Anthropic takes.
const zodTicketSchema = `{"type":"object","properties":{"title":{"type":"string"},"priority":{"enum":["low","medium","high"]},` +
	`"kind":{"const":"ticket"},"assignee":{"anyOf":[{"type":"object","properties":{"type":{"const":"user"},` +
	`"id":{"type":"integer","description":"{minimum: -9007199254740991, maximum: 9007199254740991}"}},"additionalProperties":false,"required":["type","id"]},` +
	`{"type":"object","properties":{"type":{"const":"team"},"name":{"type":"string"}},"additionalProperties":false,"required":["type","name"]}]},` +
	`"labels":{"type":"array","items":{"enum":["bug","feature"]}},"due":{"anyOf":[{"enum":["today","later"]},{"type":"null"}]},` +
	`"estimate":{"type":["string","number"]}},"additionalProperties":false,"required":["title","priority","kind","assignee","labels","due","estimate"]}`

// zodTicketSchemaTyped is zodTicketSchema with each enum's and const's
// type written in and the list of types an anyOf, members in the order
// sent.
const zodTicketSchemaTyped = `{"type":"object","properties":{"title":{"type":"string"},"priority":{"type":"string","enum":["low","medium","high"]},` +
	`"kind":{"type":"string","const":"ticket"},"assignee":{"anyOf":[{"type":"object","properties":{"type":{"type":"string","const":"user"},` +
	`"id":{"type":"integer","description":"{minimum: -9007199254740991, maximum: 9007199254740991}"}},"additionalProperties":false,"required":["type","id"]},` +
	`{"type":"object","properties":{"type":{"type":"string","const":"team"},"name":{"type":"string"}},"additionalProperties":false,"required":["type","name"]}]},` +
	`"labels":{"type":"array","items":{"type":"string","enum":["bug","feature"]}},"due":{"anyOf":[{"type":"string","enum":["today","later"]},{"type":"null"}]},` +
	`"estimate":{"anyOf":[{"type":"string"},{"type":"number"}]}},"additionalProperties":false,"required":["title","priority","kind","assignee","labels","due","estimate"]}`

// A zod schema with an enum, a literal, a discriminated union or a union
// of scalars, sent by the TypeScript SDK's messages.parse, reaches an
// OpenAI-format model strict: strict mode wants one type in every schema,
// so the type the values all have is written in and a list of types
// becomes an anyOf, and the answer is held to the schema as Claude holds
// it. Sent as it came, without strict, the model may answer
// a value outside it and the SDK's parse of it fails. The properties keep
// their order, the order strict mode writes the answer's keys in.
func TestMessagesZodEnumsReachAnOpenAIModelStrict(t *testing.T) {
	e := newE2E(t)
	// @anthropic-ai/sdk 1.14 messages.parse body (routing_config pins mini).
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":1024,`+
		`"messages":[{"role":"user","content":"File a ticket: the login page is down."}],`+
		`"output_config":{"format":{"type":"json_schema","schema":`+zodTicketSchema+`}},`+
		`"tools":[{"name":"set_priority","strict":true,"input_schema":{"type":"object","properties":{"level":{"enum":["low","high"]},"mixed":{"enum":[1,2.5,null]}},"required":["level","mixed"],"additionalProperties":false}}],`+
		`"routing_config":{"models":["mini"]}}`)
	require.Equal(t, http.StatusOK, status, out)
	sent := onlyChatSentTo(t, e, "mini")
	assert.True(t, sent.ResponseFormat.JSONSchema.Strict, "held to the enums, as Claude is")
	assert.Equal(t, zodTicketSchemaTyped, string(sent.ResponseFormat.JSONSchema.Schema), "each enum's type written in, in the order sent")
	require.Len(t, sent.Tools, 1)
	assert.True(t, sent.Tools[0].Function.Strict, "a strict tool with enums stays strict")
	assert.JSONEq(t, `{"type":"object","properties":{"level":{"type":"string","enum":["low","high"]},"mixed":{"type":["number","null"],"enum":[1,2.5,null]}},"required":["level","mixed"],"additionalProperties":false}`,
		string(sent.Tools[0].Function.Parameters))
}

// An enum whose values have more than one type (besides null) has no one
// type to write in: the schema goes as sent, without strict, and with
// require_parameters the reason names it.
func TestMessagesEnumOfMixedTypesGoesNonStrict(t *testing.T) {
	const mixed = `{"type":"object","properties":{"v":{"enum":["a",1]}},"required":["v"],"additionalProperties":false}`
	call := func(routing string) string {
		return `{"model":"model-router","max_tokens":1024,"messages":[{"role":"user","content":"Pick."}],` +
			`"output_config":{"format":{"type":"json_schema","schema":` + mixed + `}},"routing_config":` + routing + `}`
	}
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", call(`{"models":["mini"]}`))
	require.Equal(t, http.StatusOK, status, out)
	sent := onlyChatSentTo(t, e, "mini")
	assert.Equal(t, mixed, string(sent.ResponseFormat.JSONSchema.Schema), "the schema as sent")
	assert.False(t, sent.ResponseFormat.JSONSchema.Strict)

	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", call(`{"models":["mini","claude"],"require_parameters":true}`))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "claude", out["model"])
	reasons := candidateReasons(out)
	assert.Contains(t, reasons["mini"], `output_config.format.schema: $.properties.v does not have exactly one of "type", "anyOf" and "$ref", as strict mode requires`)
}
