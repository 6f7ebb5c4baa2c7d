package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cutMessage is a provider's error message cut inside a character: "é"
// is C3 A9, and only C3 came.
const cutMessage = "prompt too odd: caf\xc3"

// notUTF8ErrorProvider refuses every call with 400 and cutMessage raw
// inside its JSON, in Anthropic's shape on Messages and OpenAI's elsewhere.
func notUTF8ErrorProvider(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		if strings.HasSuffix(r.URL.Path, "/messages") {
			fmt.Fprintf(w, `{"type":"error","error":{"type":"invalid_request_error","message":"%s"}}`, cutMessage)
			return
		}
		fmt.Fprintf(w, `{"error":{"message":"%s","type":"invalid_request_error","param":null,"code":null}}`, cutMessage)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAProviderErrorThatIsNotUTF8ReachesTheClientAsUTF8: a provider's 4xx
// is the client's, and where it came in the client's own shape it was
// passed on byte for byte, a character cut in its message included, which
// Python's json (the OpenAI and Anthropic SDKs') cannot read. The message
// now carries U+FFFD for such a byte, as a translated error did, on every
// API, and the SDKs read it.
func TestAProviderErrorThatIsNotUTF8ReachesTheClientAsUTF8(t *testing.T) {
	e := e2eAnsweredBy(t, notUTF8ErrorProvider(t))
	const want = "prompt too odd: caf\uFFFD"
	calls := map[string][2]string{
		"chat to OpenAI":      {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`},
		"responses to OpenAI": {"/v1/responses", `{"model":"model-router","input":"hi","store":false,"routing_config":{"models":["large"]}}`},
		"messages to Claude":  {"/v1/messages", `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["claude"]}}`},
		"chat to Claude":      {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["claude"]}}`},
		"messages to OpenAI":  {"/v1/messages", `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`},
	}
	for name, c := range calls {
		t.Run(name, func(t *testing.T) {
			status, out := postBodyAsIs(t, e, c[0], c[1])
			require.Equal(t, http.StatusBadRequest, status, "%s", out)
			assert.True(t, utf8.Valid(out), "the error is UTF-8: %q", out)
			assert.Contains(t, string(out), want)
		})
	}

	oc := e.clients()["v1"]
	_, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "large", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var oe *openai.Error
	require.True(t, errors.As(err, &oe), "%v", err)
	assert.Equal(t, want, oe.Message)
	assert.True(t, utf8.ValidString(oe.RawJSON()), "%q", oe.RawJSON())

	ac := e.anthropicClients()["v1"]
	_, err = ac.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model: "claude", MaxTokens: 16, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	var ae *anthropic.Error
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.True(t, utf8.ValidString(ae.RawJSON()), "%q", ae.RawJSON())
	assert.Contains(t, ae.RawJSON(), want)
}
