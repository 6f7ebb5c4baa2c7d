package upstream_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A server that ends without [DONE] and keeps its connection open after
// its last chunk (the usage chunk asked for with include_usage, which
// comes after finish_reason) does not hold the client's stream open: it
// ends at that chunk, on Chat Completions (whether or not the client asked
// for usage, and with the [DONE] the server left out) as on Messages.
func TestStreamWithoutDoneEndsAtTheUsageChunk(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		api        upstream.API
	}{
		{"chat", streamChatBody, upstream.APIChatCompletions},
		{"chat, usage asked", `{"model":"router","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, upstream.APIChatCompletions},
		{"messages", `{"model":"router","stream":true,"max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`, upstream.APIMessages},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.fwd.Deadline = time.Minute
			f.openai.Set("model-a", upstreamtest.Behavior{NoDone: true, HoldOpen: true})
			g := newGateway(t, f.fwd, tt.api, openAIModel("model-a"))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // hang guard
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, strings.NewReader(tt.body))
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err, "the body must end at the provider's last chunk, not at the call's deadline")
			require.Contains(t, string(body), "Hello")
			if tt.api == upstream.APIChatCompletions {
				assert.Equal(t, 1, strings.Count(string(body), "data: [DONE]"), "the client still gets its [DONE]: %s", body)
			}
			out := g.outcome(t)
			assert.Equal(t, 200, out.Status)
			assert.True(t, out.Whole)
		})
	}
}

// A client that leaves once the provider has sent the finish reason has
// had the whole answer: a Messages call answered by an OpenAI-compatible
// model, whose message_delta waits for the usage chunk after the finish,
// is then a success, as the Chat Completions pass-through of the same
// stream is.
func TestMessagesFromOpenAIFinishedThenClientLeftIsASuccess(t *testing.T) {
	o := newScripted(t)
	// Text and finish in one chunk: when the client has the text, the
	// gateway has read the finish reason.
	o.set("gpt-x", sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hi there"},"finish_reason":"stop"}]}`))
	o.hold["gpt-x"] = true
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIMessages, openAIModel("gpt-x"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+"/messages",
		strings.NewReader(`{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	br := bufio.NewReader(res.Body)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		if strings.Contains(line, "text_delta") {
			break
		}
	}
	cancel()
	res.Body.Close()
	out := g.outcome(t)
	assert.Equal(t, 200, out.Status, "the provider had sent the finish reason")
	assert.Nil(t, out.Err)
	assert.True(t, out.Whole)
}
