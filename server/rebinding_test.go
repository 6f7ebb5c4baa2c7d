package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rebound sends what a browser sends from http://<host>:<port>/ once that
// name resolves to 127.0.0.1 (DNS rebinding): a same-origin fetch, which
// the cross-site check lets through.
func rebound(t *testing.T, e *e2e, method, path, body, host string, header ...string) (int, []byte) {
	t.Helper()
	port := e.url[strings.LastIndex(e.url, ":")+1:]
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Host = host + ":" + port
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://"+host+":"+port)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Sec-Fetch-Mode", "cors")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// On loopback the gateway needs no key, so only the browser keeps other
// sites' pages away from it. A page whose own host name is made to resolve
// to 127.0.0.1 is same-origin with the gateway as far as the browser can
// tell: it could post, and read the answer. A keyless gateway answers only
// loopback's host names, as local servers such as Ollama do.
func TestAKeylessGatewayRefusesAHostNameThatIsNotLoopback(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.RequireKeys = false; c.Keys = nil })
	for _, tc := range []struct {
		method, path, body string
		anthropic          bool
	}{
		{http.MethodPost, "/v1/chat/completions", chatBody, false},
		{http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, true},
		{http.MethodGet, "/v1/models", "", false},
	} {
		status, raw := rebound(t, e, tc.method, tc.path, tc.body, "rebind.evil.example")
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", tc.path, raw)
		body := errorShapeOf(t, raw)
		assert.Equal(t, "host_not_allowed", body.Error.Code, string(raw))
		assert.Equal(t, "permission_error", body.Error.Type, string(raw))
		if tc.anthropic {
			assert.Equal(t, "error", body.Type, "Anthropic's error shape on the Messages API: %s", raw)
		}
	}
	assert.Empty(t, e.openai.Requests(), "a rebound page's call reached the provider and spent its credit")
	assert.Empty(t, e.anthropic.Requests(), "a rebound page's call reached the provider and spent its credit")
}

// Loopback's own names, on any port, and the names the operator allows (a
// reverse proxy's) are answered.
func TestAKeylessGatewayAnswersLoopbackAndAllowedHostNames(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		c.RequireKeys, c.Keys, c.AllowedHosts = false, nil, []string{"gateway.internal.example"}
	})
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]", "LocalHost", "gateway.internal.example", "Gateway.Internal.Example"} {
		status, raw := rebound(t, e, http.MethodPost, "/v1/chat/completions", chatBody, host)
		assert.Equal(t, http.StatusOK, status, "%s: %s", host, raw)
	}
	assert.Len(t, e.openai.Requests(), 6)
}

// With keys required the key is the defence: a proxy's or load balancer's
// host name needs no setting.
func TestAGatewayThatNeedsKeysAnswersAnyHostName(t *testing.T) {
	e := newE2E(t)
	status, raw := rebound(t, e, http.MethodPost, "/v1/chat/completions", chatBody, "gateway.example.com",
		"Authorization", "Bearer "+e2eKey)
	assert.Equal(t, http.StatusOK, status, string(raw))
	status, raw = rebound(t, e, http.MethodPost, "/v1/chat/completions", chatBody, "gateway.example.com")
	assert.Equal(t, http.StatusUnauthorized, status, "without its key a call is refused whatever its host: %s", raw)
}

// An operator who lists --allowed-hosts on a gateway that needs keys means
// that list to hold: a call for another host name is refused before its
// key is looked at, even with a good key, and never reaches a provider;
// loopback's names and the listed ones are answered.
func TestAGatewayThatNeedsKeysAnswersOnlyTheAllowedHostsWhenSomeAreGiven(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.AllowedHosts = []string{"gateway.internal.example"} })
	status, raw := rebound(t, e, http.MethodPost, "/v1/chat/completions", chatBody, "gateway.example.com",
		"Authorization", "Bearer "+e2eKey)
	assert.Equal(t, http.StatusForbidden, status, string(raw))
	assert.Equal(t, "host_not_allowed", errorShapeOf(t, raw).Error.Code, string(raw))
	assert.NotContains(t, string(raw), "require keys", "keys are already required: %s", raw)
	assert.Empty(t, e.openai.Requests(), "a call for a host not allowed reached the provider")

	for _, host := range []string{"gateway.internal.example", "localhost", "127.0.0.1"} {
		status, raw := rebound(t, e, http.MethodPost, "/v1/chat/completions", chatBody, host,
			"Authorization", "Bearer "+e2eKey)
		assert.Equal(t, http.StatusOK, status, "%s: %s", host, raw)
	}
}
