package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A stream whose provider failed the generation mid-stream (an
// {"error":...} chunk, then [DONE], as several OpenAI-compatible servers
// end a failed generation) is logged as a broken stream, 502 with an
// upstream error code, whether the client asked on Chat Completions or on
// Messages: the client got the provider's error, not a whole answer.
func TestStreamThatSentAnErrorChunkThenDoneIsLoggedAs502(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"mini","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}`+"\n\n")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, `data: {"error":{"message":"generation failed","type":"server_error"}}`+"\n\n")
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(bad.Close)
	e := newE2E(t, func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		p := fwd.Providers.ByName["openai"]
		p.BaseURL = bad.URL + "/v1"
		fwd.Providers.ByName["openai"] = p
	})
	for _, tt := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"model-router","stream":true,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`},
		{"/v1/messages", `{"model":"model-router","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`},
	} {
		t.Run(tt.path, func(t *testing.T) {
			n := len(e.log.all())
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, e.url+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+e2eKey)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			require.Equal(t, 200, res.StatusCode, "%s", body)
			recs := e.log.waitFor(t, n+1)
			require.Len(t, recs, n+1, "exactly one row")
			rec := recs[n]
			assert.Equal(t, "mini", rec.Answered)
			assert.Equal(t, http.StatusBadGateway, rec.Status, "logged as a broken stream: %s", body)
			assert.Equal(t, "upstream", rec.ErrorCode)
		})
	}
}
