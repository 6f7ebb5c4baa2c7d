package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/playground"
)

// A path the gateway does not serve, one with a trailing slash included,
// is answered where it was sent: a 404 in the API's error shape naming the
// path, with the request id, never a redirect (a 307 that has the client
// send the prompt again, to a Location that behind a path-rewriting proxy
// points elsewhere). The pages and probes keep their documented paths.
func TestTrailingSlashIsA404NotARedirect(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Mount = playground.Mount })
	// As curl without -L: the redirect, if any, is what the test sees.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, body string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, raw
	}

	chat := `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`
	for _, path := range []string{"/v1/chat/completions/", "/v1/responses/", "/openai/v1/chat/completions/", "/v1/models/"} {
		method := http.MethodPost
		if path == "/v1/models/" {
			method = http.MethodGet
		}
		resp, raw := send(method, path, chat)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s: Location %q", method, path, resp.Header.Get("Location"))
		assert.Empty(t, resp.Header.Get("Location"), path)
		assert.NotEmpty(t, resp.Header.Get(HeaderRequestID), path)
		if resp.StatusCode == http.StatusNotFound {
			assert.Contains(t, errorOf(t, raw).Error.Message, path)
		}
	}

	// An Anthropic SDK's call gets Anthropic's shape.
	resp, raw := send(http.MethodPost, "/v1/messages/", `{"model":"model-router","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`,
		"anthropic-version", "2023-06-01")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "Location %q", resp.Header.Get("Location"))
	var body struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if resp.StatusCode == http.StatusNotFound {
		require.NoError(t, json.Unmarshal(raw, &body), string(raw))
		assert.Equal(t, "error", body.Type)
		assert.Equal(t, "not_found_error", body.Error.Type)
		assert.Contains(t, body.Error.Message, "/v1/messages/")
	}
	assert.Empty(t, e.openai.Requests(), "nothing reached a provider")
	assert.Empty(t, e.anthropic.Requests(), "nothing reached a provider")

	// The documented paths still answer, the playground's with its slash.
	resp, _ = send(http.MethodPost, "/v1/chat/completions", chat)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	for _, path := range []string{"/", "/playground", "/playground/"} {
		resp, raw := send(http.MethodGet, path, "")
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, resp.Header.Get("Content-Type"), "text/html", path)
		assert.Contains(t, string(raw), "<html", path)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, _ := send(http.MethodGet, path, "")
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
}
