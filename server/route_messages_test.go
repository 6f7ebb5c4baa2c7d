package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// POST /v1/route/messages decides an Anthropic Messages body as POST
// /v1/messages does: Anthropic's server tools, thinking and the rest of
// what only that API has narrow and rank the candidates the same way.
func TestMessagesDryRunDecidesAsTheMessagesCall(t *testing.T) {
	for name, body := range map[string]string{
		"plain, Claude first": `{"model":"model-router","max_tokens":256,"system":"Be brief.",` +
			`"messages":[{"role":"user","content":"Name a lake."}],` + claudeFirst + `}`,
		"a server tool": `{"model":"model-router","max_tokens":256,"messages":[{"role":"user","content":"News?"}],` +
			`"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}`,
		"thinking": `{"model":"model-router","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":2048},` +
			`"messages":[{"role":"user","content":"Prove there are infinitely many primes."}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			require.NotNil(t, assertDryRunDecidesAsTheCall(t, e, "/v1/route/messages", "/v1/messages", body), "the call was refused")
		})
	}
}

// Only Claude runs Anthropic's server tools: the dry run leaves the other
// models out with why, as the call does.
func TestMessagesDryRunExcludesModelsWithoutTheServerTool(t *testing.T) {
	e := newE2E(t)
	d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/messages", "/v1/messages",
		`{"model":"model-router","max_tokens":256,"messages":[{"role":"user","content":"News?"}],`+
			`"tools":[{"type":"web_search_20250305","name":"web_search"}]}`)
	require.NotNil(t, d)
	assert.Equal(t, "claude", d.ChosenModel)
	for _, c := range d.Candidates {
		if c.Model != "claude" {
			assert.False(t, c.Eligible, "%s", c.Model)
			assert.Contains(t, c.Reason, "excluded: ", "%s", c.Model)
		}
	}
}

// A Messages body the Messages API refuses is refused by its dry run with
// the same error, in Anthropic's shape, which its SDKs read: a bad member,
// and a thread continuation the gateway holds no thread for
// (thread_not_found, on which the SDKs send the whole conversation).
func TestMessagesDryRunRefusesAsTheCallInAnthropicsShape(t *testing.T) {
	for name, body := range map[string]string{
		"max_tokens a word": `{"model":"model-router","max_tokens":"many","messages":[{"role":"user","content":"hi"}]}`,
		"unknown thread": `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"And again?"}],` +
			`"thread":{"type":"continue","previous_message_id":"msg_unknown1"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			assert.Nil(t, assertDryRunDecidesAsTheCall(t, e, "/v1/route/messages", "/v1/messages", body), "the call was routed")
			_, _, raw := postRaw(t, e, http.MethodPost, "/v1/route/messages", body)
			assert.Equal(t, "error", errorShapeOf(t, raw).Type, "Anthropic's shape: %s", raw)
		})
	}
}

// The Messages dry run's own errors are in Anthropic's shape whatever
// route they come from, as /v1/messages' are: a wrong method (gin's 405,
// which matches no route) and a path below it (its 404).
func TestMessagesDryRunAnswersAWrongMethodOrPathInAnthropicsShape(t *testing.T) {
	e := newE2E(t)
	for _, path := range []string{"/v1/route/messages", "/openai/v1/route/messages"} {
		st, h, raw := postRaw(t, e, http.MethodGet, path, "")
		require.Equal(t, http.StatusMethodNotAllowed, st, "GET %s: %s", path, raw)
		assert.Equal(t, "POST", h.Get("Allow"))
		assert.Equal(t, "error", errorShapeOf(t, raw).Type, "GET %s in Anthropic's shape: %s", path, raw)

		st, _, raw = postRaw(t, e, http.MethodPost, path+"/batches", `{}`)
		require.Equal(t, http.StatusNotFound, st, "POST %s/batches: %s", path, raw)
		assert.Equal(t, "error", errorShapeOf(t, raw).Type, "POST %s/batches in Anthropic's shape: %s", path, raw)
	}
	// The other dry runs keep OpenAI's shape.
	st, _, raw := postRaw(t, e, http.MethodGet, "/v1/route/responses", "")
	require.Equal(t, http.StatusMethodNotAllowed, st, "%s", raw)
	assert.Empty(t, errorShapeOf(t, raw).Type, "OpenAI's shape: %s", raw)
}
