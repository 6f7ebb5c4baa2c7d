package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/bodyread/bodyreadtest"
)

// A body over the limit, on every route of the gateway that reads one, is
// answered 413 in its API's error shape and its connection closed, whether
// it comes chunked or with a Content-Length, and whether the client sends
// more of it slowly or goes silent: the gateway does not wait for the rest
// beyond what it reads of a refused body (twice the limit on the calls
// that log its model, under --body-timeout) and that timeout. Before, the
// routes that read no model of it (Azure's, feedback, count_tokens, a read
// of a stored answer) left the rest to net/http, which reads up to 256 KiB
// more of it before answering, with no deadline.
func TestABodyOverTheLimitIsAnswered413AndItsConnectionClosedOnEveryRoute(t *testing.T) {
	const limit = 4096
	e := newE2E(t, func(c *Config) {
		c.MaxBodyBytes = limit
		c.BodyTimeout = time.Second
		c.Feedback = feedbackStore{}
	})
	routes := []struct {
		method, path string
		limit        int
		anthropic    bool
	}{
		{"POST", "/v1/chat/completions", limit, false},
		{"POST", "/openai/v1/responses", limit, false},
		{"POST", "/anthropic/v1/messages", limit, true},
		{"POST", "/v1/route/messages", limit, true},
		{"POST", "/openai/deployments/model-router/chat/completions?api-version=2024-10-21", limit, false},
		{"POST", "/openai/deployments/model-router/route", limit, false},
		{"POST", "/v1/feedback", limit, false},
		{"POST", "/v1/messages/count_tokens", limit, true},
		{"GET", "/v1/responses/resp_1", maxReadBody, false},
	}
	addr := strings.TrimPrefix(e.url, "http://")
	for _, r := range routes {
		for _, s := range bodyreadtest.Sendings {
			t.Run(r.path+" "+s.Name, func(t *testing.T) {
				t.Parallel()
				head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n",
					r.method, r.path, e2eKey)
				resp, raw, closed := bodyreadtest.Send(t, addr, head, `{"model":"model-router","input":"`, r.limit, s)
				require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(raw))
				body := errorShapeOf(t, raw)
				assert.Equal(t, router.ETooLarge, body.Error.Code, string(raw))
				if r.anthropic {
					assert.Equal(t, "error", body.Type, "Anthropic's error shape: %s", raw)
				}
				assert.True(t, closed, "the gateway closes the connection after the 413")
			})
		}
	}
	t.Cleanup(func() { assert.Empty(t, e.openai.Requests(), "nothing went upstream") })
}
