package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A model id as `model` pins the call to that model, also when it
// continues a Claude answer the gateway keeps (the body is rebuilt and
// parsed again).
func TestModelIDPinSurvivesKeptContinuation(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	first, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "claude",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
	})
	require.NoError(t, err)
	require.Equal(t, "claude", first.Model)
	e.keptWritten(t)
	require.Equal(t, 1, kept.len(), "Claude's answer is kept")

	second, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "nano", PreviousResponseID: openai.String(first.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And now?")},
	})
	require.NoError(t, err)
	assert.Equal(t, "nano", second.Model, "model \"nano\" pins the call to nano")
}

// A call naming one model (by id, or routing_config.models) too short for
// its prompt gets context_length_exceeded, whatever else the deployment
// left out for reasons of its own (Claude, which cannot carry logprobs,
// was never this call's candidate).
func TestContextLengthExceededForPinnedModelDespiteUnrelatedDrop(t *testing.T) {
	e := newE2E(t)
	big := strings.Repeat("word ", 200_000)
	for _, body := range []string{
		`{"model":"mini","logprobs":true,"messages":[{"role":"user","content":"` + big + `"}]}`,
		`{"model":"model-router","logprobs":true,"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"` + big + `"}]}`,
	} {
		st, _, out := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
		require.Equal(t, http.StatusBadRequest, st, "%.300s", out)
		code := errorOf(t, out).Error.Code
		require.NotNil(t, code)
		assert.Equal(t, "context_length_exceeded", *code, "%.400s", out)
	}
}

// Claude Code sends x-claude-code-session-id on every call of a session,
// its background calls to the small model (claude-haiku-4-5 by default)
// included. A call naming a model neither reads nor moves the
// deployment's session pin: the main conversation stays on its model.
func TestModelIDCallDoesNotRepinTheDeploymentSession(t *testing.T) {
	e := newE2E(t)
	send := func(model string) string {
		req, err := http.NewRequest(http.MethodPost, e.url+"/v1/messages", strings.NewReader(
			`{"model":"`+model+`","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`))
		require.NoError(t, err)
		req.Header.Set("x-api-key", e2eKey)
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set(HeaderClaudeCodeSessionID, "cc-session-1")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out struct {
			Model string `json:"model"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		require.Equal(t, http.StatusOK, res.StatusCode)
		return out.Model
	}
	main := send("model-router")
	require.Equal(t, "mini", main, "Balanced picks mini")
	require.Equal(t, "nano", send("nano"), "a background call naming the small model")
	assert.Equal(t, main, send("model-router"), "the main conversation stays on its model")
}
