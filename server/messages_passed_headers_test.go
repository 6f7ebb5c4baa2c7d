package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postWithHeaders posts body to path with the e2e key and the given header
// lines (each a line of its own) and returns the status and the decoded
// answer.
func postWithHeaders(t *testing.T, e *e2e, path, body string, lines http.Header) (int, map[string]any) {
	t.Helper()
	status, _, raw := requestAs(t, e, http.MethodPost, path, e2eKey, body, lines)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return status, out
}

// betaLines is n anthropic-beta lines of together size bytes.
func betaLines(n, size int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("beta-%d-", i)
	}
	rest := size
	for _, l := range lines {
		rest -= len(l)
	}
	lines[0] += strings.Repeat("x", rest)
	return lines
}

const claudeOnlyMessages = `{"model":"model-router","max_tokens":50,"routing_config":{"models":["claude"]},
	"messages":[{"role":"user","content":"hi"}]}`

// TestMessagesPassedHeaderOverBoundIsRefused: the anthropic-beta and
// anthropic-version that a Messages call passes on to Claude are bounded
// (32 lines, 4 KiB of values together): a call over the bound is the
// client's 400 in Anthropic's shape, naming the header, and Claude gets
// nothing, rather than a provider's 431 or closed connection that counts
// against the model's health for every client.
func TestMessagesPassedHeaderOverBoundIsRefused(t *testing.T) {
	e := newE2E(t)
	for name, lines := range map[string]http.Header{
		"a beta list over 4 KiB": {"Anthropic-Version": {"2023-06-01"},
			"Anthropic-Beta": {strings.Repeat("prompt-caching-2024-07-31,", 200)}},
		"betas over 4 KiB in 32 lines": {"Anthropic-Version": {"2023-06-01"}, "Anthropic-Beta": betaLines(32, 4097)},
		"33 beta lines":                {"Anthropic-Version": {"2023-06-01"}, "Anthropic-Beta": betaLines(33, 33*10)},
		"a version over 4 KiB":         {"Anthropic-Version": {"2023-06-01" + strings.Repeat("x", 4096)}},
	} {
		t.Run(name, func(t *testing.T) {
			header := "anthropic-beta"
			if _, beta := lines["Anthropic-Beta"]; !beta {
				header = "anthropic-version"
			}
			for _, path := range []string{"/v1/messages", "/anthropic/v1/messages", "/v1/route/messages"} {
				status, out := postWithHeaders(t, e, path, claudeOnlyMessages, lines)
				require.Equal(t, http.StatusBadRequest, status, "%s: %v", path, out)
				assert.Equal(t, "error", out["type"], "Anthropic's shape")
				inner, _ := out["error"].(map[string]any)
				assert.Equal(t, "invalid_request_error", inner["type"])
				assert.Contains(t, inner["message"], header)
			}
			assert.Empty(t, e.anthropic.Requests(), "refused before Claude is called")
		})
	}
}

// TestMessagesPassedHeadersAtTheBoundGoOn: 32 beta lines of 4 KiB together,
// the most the gateway takes, reach Claude as they came; a Chat Completions
// call, which passes none of them on, is not held to the bound.
func TestMessagesPassedHeadersAtTheBoundGoOn(t *testing.T) {
	e := newE2E(t)
	betas := betaLines(32, 4096)
	status, out := postWithHeaders(t, e, "/v1/messages", claudeOnlyMessages,
		http.Header{"Anthropic-Version": {"2023-06-01"}, "Anthropic-Beta": betas})
	require.Equal(t, http.StatusOK, status, "%v", out)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.Equal(t, betas, reqs[0].Header.Values("anthropic-beta"))

	status, out = postWithHeaders(t, e, "/v1/chat/completions",
		`{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"hi"}]}`,
		http.Header{"Anthropic-Beta": betaLines(40, 8000)})
	require.Equal(t, http.StatusOK, status, "%v", out)
}
