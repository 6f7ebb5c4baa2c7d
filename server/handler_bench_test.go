package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// answerTransport answers every upstream request in memory with one chat
// completion, so a benchmark measures the gateway's own work, not loopback.
type answerTransport struct{ body []byte }

func (t answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r,
	}, nil
}

// BenchmarkGatewayHandler runs one non-streaming call (chat: a Chat
// Completions call; messages: the same conversation on the Messages API) through
// the gateway's handler with the shipped catalog (every model a candidate,
// as in production), a fixed prediction for every profile and an
// in-memory provider: parse, decide, rewrite, forward, answer rewrite with
// model_selection_details, record. No network and no router model, so
// ns/op and allocs/op are the gateway's own code.
func BenchmarkGatewayHandler(b *testing.B) {
	h := benchGateway(b, nil)
	bodies := []struct{ name, path, body string }{
		{"chat", "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"system","content":"You are a helpful assistant."},` +
			`{"role":"user","content":"Explain in two sentences why the sky is blue."}]}`},
		// The same conversation on the Messages API: translated to Chat
		// Completions for the OpenAI-compatible provider and back.
		{"messages", "/v1/messages", shortMessages},
		// An agent's turn late in its session: 60 earlier turns with tool
		// calls and 4 KB tool results, 270 KB, on either API.
		{"chat-270KB", "/v1/chat/completions", upstreamtest.AgentChat(60)},
		{"messages-270KB", "/v1/messages", upstreamtest.AgentMessages(60)},
		// The same session ten times as long (600 turns, 2.7 MB), and
		// 100,000 one-word messages (3.4 MB): what the gateway keeps per
		// byte and per message of a large body (Responses':
		// BenchmarkGatewayHandlerResponses).
		{"chat-2.7MB", "/v1/chat/completions", upstreamtest.AgentChat(600)},
		{"messages-2.7MB", "/v1/messages", upstreamtest.AgentMessages(600)},
		{"chat-100k-short", "/v1/chat/completions", upstreamtest.ShortTurnsChat(100_000)},
		{"messages-100k-short", "/v1/messages", upstreamtest.ShortTurnsMessages(100_000)},
	}
	for _, bb := range bodies {
		benchServe(b, h, bb.name, bb.path, bb.body, func(w *httptest.ResponseRecorder) {
			require.Contains(b, w.Body.String(), `"model_selection_details"`)
		})
	}
}

// shortMessages is a one-question Messages call.
const shortMessages = `{"model":"model-router","max_tokens":1024,"system":"You are a helpful assistant.",` +
	`"messages":[{"role":"user","content":"Explain in two sentences why the sky is blue."}]}`

// benchServe measures h serving body at path, after one call that must
// answer 200 and pass check.
func benchServe(b *testing.B, h http.Handler, name, path, body string, check func(*httptest.ResponseRecorder)) {
	b.Run(name, func(b *testing.B) {
		serve := func() *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Host = loopbackHost
			h.ServeHTTP(w, req)
			return w
		}
		w := serve()
		require.Equal(b, http.StatusOK, w.Code, w.Body.String())
		check(w)
		b.ReportAllocs()
		for b.Loop() {
			serve()
		}
	})
}

// BenchmarkGatewayHandlerClaude is BenchmarkGatewayHandler for Claude Code's
// path: a Messages call passed to Anthropic as it came (only `model`
// rewritten), a short one, an agent's 270 KB turn and Claude Code's turns
// with thinking on, with the answer's model and details rewritten on the
// way back.
func BenchmarkGatewayHandlerClaude(b *testing.B) {
	cat, err := models.Catalog()
	require.NoError(b, err)
	pred := evenPrediction(cat)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://anthropic.invalid", APIKey: "sk-ant"},
	}}
	answer := []byte(`{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",` +
		`"content":[{"type":"text","text":"Sunlight scatters off air molecules; blue light scatters most."}],` +
		`"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":31,"output_tokens":19}}`)
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(b, err)
	srv := New(Config{
		Router:      rt,
		Forwarder:   &upstream.Forwarder{Providers: ps, Client: &http.Client{Transport: answerTransport{answer}}},
		Supports:    ps.Supports,
		Log:         &discardLog{},
		Deployments: StaticDeployments{{Name: "model-router", RouterVersion: cat.Latest, Mode: router.ModeBalanced, Models: []string{"claude-haiku-4-5-20251001"}}},
	})
	h := srv.Handler()
	answeredByHaiku := func(w *httptest.ResponseRecorder) {
		require.Equal(b, "claude-haiku-4-5-20251001", w.Header().Get(upstream.HeaderModel))
	}
	benchServe(b, h, "messages", "/v1/messages", shortMessages, answeredByHaiku)
	benchServe(b, h, "messages-270KB", "/v1/messages", upstreamtest.AgentMessages(60), answeredByHaiku)
	// Claude Code mid tool loop with extended thinking on, as it sends
	// most calls: the forwarding checks the last assistant turn starts
	// with its thinking block. (2.9 MB is over Claude's context window;
	// BenchmarkThinkingLoopWithoutThinking times the check on it.)
	benchServe(b, h, "thinking-290KB", "/v1/messages", upstreamtest.ClaudeCodeThinking(60), answeredByHaiku)
}

// evenPrediction predicts every profile of cat alike (quality 0.8, 300
// answer tokens), so a benchmark's route is settled by price alone.
func evenPrediction(cat router.Catalog) router.Prediction {
	pred := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			pred[m.Profile] = router.Estimate{Quality: 0.8, OutputTokens: 300}
		}
	}
	return pred
}
