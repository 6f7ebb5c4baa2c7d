package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// langChainDiscriminatedUnion is the body LangChain JS (@langchain/openai
// 1.5, Zod 4) sends for ChatOpenAI.withStructuredOutput of an object
// holding a z.discriminatedUnion: strict, its union a oneOf. Its model is
// named as the test catalog's Claude.
const langChainDiscriminatedUnion = `{"model":"claude","stream":false,"response_format":{"type":"json_schema","json_schema":{"name":"extract","strict":true,` +
	`"schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"shape":{"oneOf":[` +
	`{"type":"object","properties":{"kind":{"type":"string","const":"circle","title":"extract"},"r":{"type":"number","title":"extract"}},"required":["kind","r"],"additionalProperties":false,"title":"extract"},` +
	`{"type":"object","properties":{"kind":{"type":"string","const":"square","title":"extract"},"side":{"type":"number","title":"extract"}},"required":["kind","side"],"additionalProperties":false,"title":"extract"}],` +
	`"title":"extract"}},"required":["shape"],"additionalProperties":false,"title":"extract"}}},"messages":[{"role":"user","content":"a shape"}]}`

// A strict discriminated union reaches Claude with its oneOf as anyOf,
// which allows the same answers (no answer matches two alternatives that
// each require kind to be a different string), where before it left
// Claude out ("uses \"oneOf\""); a oneOf whose alternatives an answer may
// match together still does.
func TestAStrictDiscriminatedUnionReachesClaudeAsAnyOf(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", langChainDiscriminatedUnion)
	require.Equal(t, http.StatusOK, status, "%s", body)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	sent := string(reqs[0].Body)
	assert.Contains(t, sent, `"properties":{"shape":{"anyOf":[{"type":"object","properties":{"kind":{"type":"string","const":"circle","title":"extract"}`)
	assert.NotContains(t, sent, "oneOf")

	overlapping := strings.Replace(langChainDiscriminatedUnion, `"const":"square"`, `"const":"circle"`, 1)
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", overlapping)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message, `provider anthropic cannot carry response_format.json_schema.schema: $.properties.shape uses "oneOf"`)
	assert.Len(t, e.anthropic.RequestsFor("claude"), 1)

	// A discriminator const without its type (Zod writes one beside it)
	// is still one Claude refuses, strict: the union is seen, the const named.
	untyped := strings.ReplaceAll(langChainDiscriminatedUnion, `"type":"string","const"`, `"const"`)
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", untyped)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, errorOf(t, body).Error.Message, `$.properties.shape.anyOf[0].properties.kind has a "const" without "type"`)
	assert.Len(t, e.anthropic.RequestsFor("claude"), 1)
}
