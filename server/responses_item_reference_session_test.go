package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An item_reference to a kept answer prefers the model that wrote it,
// unless the call names a session of its own: a session already on a
// model stays there, and is not moved to the writer; one on no model yet
// starts on the writer, as a call without a session does.
func TestItemReferenceToAKeptAnswerLeavesTheCallsOwnSessionWhereItIs(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
	// Claude's answer, made outside any session.
	status, first := postResponses(t, e, `{"model":"model-router","input":"hi","routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	require.Equal(t, "claude", first["model"])
	msgID := first["output"].([]any)[0].(map[string]any)["id"].(string)

	plain := `{"model":"model-router","input":"and again?"}`
	referring := `{"model":"model-router","input":[` +
		`{"role":"user","content":[{"type":"input_text","text":"hi"}]},` +
		`{"type":"item_reference","id":"` + msgID + `"},` +
		`{"role":"user","content":[{"type":"input_text","text":"and again?"}]}]}`
	call := func(session, body string) any {
		t.Helper()
		status, out := postResponsesWith(t, e, e2eKey, body, "x-session-id", session)
		require.Equal(t, http.StatusOK, status, out)
		return out["model"]
	}

	// Session "on-nano" is on nano (Balanced alone picks mini).
	require.Equal(t, "nano", call("on-nano", `{"model":"model-router","input":"hi","routing_config":{"models":["nano"]}}`))
	assert.Equal(t, "nano", call("on-nano", referring), "the reference moved the call off its own session's model")
	assert.Equal(t, "nano", call("on-nano", plain), "the reference moved the session to the model that wrote it")

	// A new session starts on the writer, and stays there.
	assert.Equal(t, "claude", call("new", referring))
	assert.Equal(t, "claude", call("new", plain))
}
