package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedAnswer sends request on a new connection to addr, past the cap,
// and returns the refusal's response and its JSON body.
func refusedAnswer(t *testing.T, addr, request string) (*http.Response, map[string]any) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	return readRefusal(t, c)
}

// readRefusal reads the 503 on c and decodes its body.
func readRefusal(t *testing.T, c net.Conn) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(raw))
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), string(raw))
	return resp, body
}

// post is an HTTP/1.1 POST of a JSON body to path.
func post(path, body string, header ...string) string {
	return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + strings.Join(header, "") +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// --max-connections 1, its place held by a call under way: a Messages
// call past the cap is refused in Anthropic's error shape, which the
// Anthropic SDKs read (an overloaded_error they retry), whichever of the
// Messages paths it names; a Chat call keeps OpenAI's.
func TestMaxConnectionsRefusesAMessagesCallInAnthropicsErrorShape(t *testing.T) {
	fake, openGate := gatedOpenAI(t)
	defer openGate()
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) { o.maxConns = 1 })
	addr := strings.TrimPrefix(base, "http://")
	resp, _, held := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	startCallUnderWay(t, held, fake)

	messages := `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	for _, path := range []string{"/v1/messages", "/anthropic/v1/messages?beta=true", "/v1/messages/count_tokens"} {
		resp, body := refusedAnswer(t, addr, post(path, messages, "anthropic-version: 2023-06-01\r\n"))
		assert.Equal(t, "1", resp.Header.Get("Retry-After"), path)
		assert.Equal(t, "error", body["type"], "%s: %v", path, body)
		inner, ok := body["error"].(map[string]any)
		require.True(t, ok, "%s: %v", path, body)
		assert.Equal(t, "overloaded_error", inner["type"], path)
		assert.Equal(t, "too_many_connections", inner["code"], path)
		assert.Contains(t, inner["message"], "--max-connections 1", path)
	}

	resp, body := refusedAnswer(t, addr, post("/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.NotContains(t, body, "type", "OpenAI's shape: %v", body)
	inner, ok := body["error"].(map[string]any)
	require.True(t, ok, "%v", body)
	assert.Equal(t, "service_unavailable_error", inner["type"])
	assert.Equal(t, "too_many_connections", inner["code"])
}

// The refusal reads no more than the first bytes the client sends: when
// they do not yet hold the whole request line, the route is not known and
// the refusal is in OpenAI's shape, as every route's was.
func TestMaxConnectionsRefusesAPartRequestLineInOpenAIsShape(t *testing.T) {
	l, ok := capConnections(nil, 1, func() bool { return false }, func(net.Addr) {}).(*cappedListener)
	require.True(t, ok)
	for _, head := range []string{"POST /v1/messa", "POST /v1/messages HTT"} {
		client, accepted := loopbackPair(t)
		go l.refuse(accepted)
		_, err := io.WriteString(client, head)
		require.NoError(t, err)
		_, body := readRefusal(t, client)
		assert.NotContains(t, body, "type", "%q: OpenAI's shape: %v", head, body)
		inner, ok := body["error"].(map[string]any)
		require.True(t, ok, "%v", body)
		assert.Equal(t, "too_many_connections", inner["code"])
	}
}
