package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// notUTF8Provider answers every API with "hi \xff there" as its text, raw
// inside a JSON string, as a server that cuts a character between tokens
// may: as JSON, or as a stream where the call asked for one.
func notUTF8Provider(t *testing.T) *httptest.Server {
	const text = "hi \xff there"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		stream := strings.Contains(string(body), `"stream":true`)
		switch {
		case stream && strings.HasSuffix(r.URL.Path, "/chat/completions"):
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"large\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"%s\"},\"finish_reason\":null}]}\n\n", text)
			fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"large\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"large","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`, text)
		case strings.HasSuffix(r.URL.Path, "/responses"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"large","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"%s","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":2,"total_tokens":7}}`, text)
		case strings.HasSuffix(r.URL.Path, "/messages"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}}`, text)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// e2eAnsweredBy is a gateway whose OpenAI and Anthropic providers are
// both srv.
func e2eAnsweredBy(t *testing.T, srv *httptest.Server) *e2e {
	return newE2E(t, func(c *Config) {
		ps := upstream.Providers{ByName: map[string]upstream.Provider{
			"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: srv.URL + "/v1", APIKey: "sk-upstream-openai", OpenAIAPI: true},
			"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: srv.URL, APIKey: "sk-upstream-anthropic"},
		}}
		c.Forwarder = &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second}
	})
}

// TestAnAnswerThatIsNotUTF8ReachesTheClientAsUTF8: a provider's answer
// with a byte that begins no valid UTF-8 sequence inside a string reached the
// client raw where the gateway passes the answer on (Chat and Responses
// from OpenAI's API, Messages from Claude's), while a translated answer
// carried U+FFFD: Python's json (the OpenAI and Anthropic SDKs') failed on
// the one, and a client that sent the text back was refused, the gateway
// taking only UTF-8. Every API's answer, whole or streamed, now carries
// U+FFFD for such a byte, as a translated one did.
func TestAnAnswerThatIsNotUTF8ReachesTheClientAsUTF8(t *testing.T) {
	e := e2eAnsweredBy(t, notUTF8Provider(t))
	calls := map[string][2]string{
		"chat to OpenAI":      {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`},
		"chat streamed":       {"/v1/chat/completions", `{"model":"model-router","stream":true,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`},
		"responses to OpenAI": {"/v1/responses", `{"model":"model-router","input":"hi","store":false,"routing_config":{"models":["large"]}}`},
		"messages to Claude":  {"/v1/messages", `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["claude"]}}`},
		"chat to Claude":      {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["claude"]}}`},
		"messages to OpenAI":  {"/v1/messages", `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`},
	}
	for name, c := range calls {
		t.Run(name, func(t *testing.T) {
			status, out := postBodyAsIs(t, e, c[0], c[1])
			require.Equal(t, http.StatusOK, status, "%s", out)
			assert.True(t, utf8.Valid(out), "the answer is UTF-8: %q", out)
			assert.Contains(t, string(out), "hi \uFFFD there")
		})
	}
}
