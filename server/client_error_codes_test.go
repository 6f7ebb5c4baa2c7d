package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A prompt no model's context window holds is refused as OpenAI refuses
// it: 400, code context_length_exceeded, param "messages" ("input" on
// Responses), which clients (LangChain, LiteLLM, agent frameworks) match
// to trim the history and retry.
func TestAPromptNoContextHoldsIsContextLengthExceeded(t *testing.T) {
	e := newE2E(t)
	big := strings.Repeat("word ", 200_000)
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"`+big+`"}]}`)
	require.Equal(t, http.StatusBadRequest, st, "%.300s", body)
	we := errorOf(t, body)
	require.NotNil(t, we.Error.Code)
	assert.Equal(t, "context_length_exceeded", *we.Error.Code)
	if assert.NotNil(t, we.Error.Param) {
		assert.Equal(t, "messages", *we.Error.Param)
	}

	st, _, body = postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","input":"`+big+`"}`)
	require.Equal(t, http.StatusBadRequest, st, "%.300s", body)
	we = errorOf(t, body)
	if assert.NotNil(t, we.Error.Param) {
		assert.Equal(t, "input", *we.Error.Param)
	}

	// Excluded for other reasons too: no_eligible, as before.
	st, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","routing_config":{"models":["nano","mini"]},
		"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"`+big+`"}]}`)
	require.Equal(t, http.StatusBadRequest, st, "%.300s", body)
	assert.Equal(t, "no_eligible", *errorOf(t, body).Error.Code)
}

// A known path with the wrong method is 405 Method Not Allowed, with Allow
// naming the method it takes (RFC 9110).
func TestWrongMethodIs405(t *testing.T) {
	e := newE2E(t)
	for _, path := range []string{"/v1/chat/completions", "/v1/responses"} {
		st, h, body := postRaw(t, e, http.MethodGet, path, "")
		assert.Equal(t, http.StatusMethodNotAllowed, st, "GET %s: %s", path, body)
		assert.Equal(t, "POST", h.Get("Allow"))
	}
}

// When a model was left out for what its API cannot carry, trimming the
// prompt would not bring it back: no_eligible, not context_length_exceeded.
func TestContextLengthExceededOnlyWhenLengthIsWhatLeftEveryModelOut(t *testing.T) {
	e := newE2E(t)
	big := strings.Repeat("word ", 200_000)
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","logprobs":true,
		"routing_config":{"models":["claude","mini"]},"messages":[{"role":"user","content":"`+big+`"}]}`)
	require.Equal(t, http.StatusBadRequest, st, "%.300s", body)
	assert.Equal(t, "no_eligible", *errorOf(t, body).Error.Code)
	assert.Contains(t, errorOf(t, body).Error.Message, "cannot carry logprobs")
}
