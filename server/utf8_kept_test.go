package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAKeptRowThatIsNotUTF8IsContinuedAsUTF8: a row an older build kept,
// before bodies were checked for UTF-8, may hold the client's bytes that
// are no UTF-8 inside a string. A continuation rebuilt from it was refused
// with "the request body is not valid UTF-8 (byte N)", N counted in a
// body the client never sent; the row's text is now read back with each
// such byte as U+FFFD, as encoding/json reads it, so the conversation goes
// on, and a read of the answer by id and of its input items is UTF-8 too.
func TestAKeptRowThatIsNotUTF8IsContinuedAsUTF8(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	require.NoError(t, kept.PutResponse(context.Background(), StoredResponse{ID: "resp_old", Model: "claude",
		Input:  json.RawMessage("[{\"role\":\"user\",\"content\":\"caf\xe9 au lait?\"}]"),
		Output: json.RawMessage(`[{"role":"assistant","content":"Yes."}]`),
		Body: json.RawMessage("{\"id\":\"resp_old\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"claude\"," +
			"\"output\":[{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Yes \xff.\",\"annotations\":[]}]}]}"),
	}))

	client := e.clients()["v1"]
	next, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String("resp_old"),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And tea?")},
	})
	require.NoError(t, err)
	require.Equal(t, "claude", next.Model)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.True(t, utf8.Valid(reqs[0].Body), "%q", reqs[0].Body)
	assert.Equal(t, []string{"user: caf\uFFFD au lait?", "assistant: Yes.", "user: And tea?"}, anthropicTurns(t, reqs[0].Body))

	for _, path := range []string{"/v1/responses/resp_old", "/v1/responses/resp_old/input_items"} {
		status, _, body := requestAs(t, e, http.MethodGet, path, e2eKey, "", http.Header{})
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		assert.True(t, utf8.Valid(body), "%s: %q", path, body)
		assert.Contains(t, string(body), "\uFFFD", path)
	}
}
