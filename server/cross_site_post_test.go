package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On its default loopback address the gateway needs no client key, so the
// browser's same-origin policy is all that stops a page the operator visits.
// A "simple" cross-site POST (a form or no-cors fetch with Content-Type
// text/plain, no preflight) carrying a JSON body is refused with 403
// cross_site_request before it reaches a provider.
func TestCrossSiteBrowserPostIsNotForwarded(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.RequireKeys = false; c.Keys = nil })
	for _, tc := range []struct {
		path, body string
		anthropic  bool
	}{
		{"/v1/chat/completions", chatBody, false},
		{"/v1/messages", `{"model":"model-router","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, true},
	} {
		req, err := http.NewRequest(http.MethodPost, e.url+tc.path, strings.NewReader(tc.body))
		require.NoError(t, err)
		// What a browser sends for <form enctype="text/plain"> or
		// fetch(url, {method: "POST", mode: "no-cors", body}) from evil.example.
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Sec-Fetch-Mode", "no-cors")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, tc.path)
		body := errorShapeOf(t, raw)
		assert.Equal(t, "cross_site_request", body.Error.Code, string(raw))
		if tc.anthropic {
			assert.Equal(t, "error", body.Type, "Anthropic's error shape on the Messages API: %s", raw)
			assert.Equal(t, "permission_error", body.Error.Type)
		}
	}
	assert.Empty(t, e.openai.Requests(), "a cross-site browser POST reached the provider")
	assert.Empty(t, e.anthropic.Requests(), "a cross-site browser POST reached the provider")
}

// The same POST from the gateway's own origin (the playground), or from a
// client that is no browser (no Origin, no Sec-Fetch-Site), is answered.
func TestSameOriginAndNonBrowserPostsAreForwarded(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.RequireKeys = false; c.Keys = nil })
	for name, headers := range map[string]map[string]string{
		"same-origin": {"Origin": e.url, "Sec-Fetch-Site": "same-origin"},
		"no browser":  {},
	} {
		req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(chatBody))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, name)
	}
	assert.Len(t, e.openai.Requests(), 2)
}
