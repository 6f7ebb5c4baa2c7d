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

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Providers serve over TLS and offer HTTP/2 (OpenAI, Azure OpenAI and
// Anthropic all do); these tests check the gateway takes it, and that
// streaming, a broken stream and a client that leaves behave over it as
// the README says they do over HTTP/1.1.

// tlsFakes are an OpenAI and an Anthropic fake over TLS with HTTP/2
// offered, and a gateway process that trusts them.
func tlsFakes(t *testing.T) (o, a *upstreamtest.Fake, g processGateway) {
	o, a = upstreamtest.NewOpenAITLS(t), upstreamtest.NewAnthropicTLS(t)
	o.Key, a.Key = "sk-openai-test", "sk-ant-test"
	return o, a, startProcessGateway(t, o, a)
}

func postChat(t *testing.T, base, body string) (int, []byte) {
	t.Helper()
	res, err := http.Post(base+"/chat/completions", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b
}

func TestProviderCallsGoOverHTTP2WhenOffered(t *testing.T) {
	o, a, g := tlsFakes(t)

	t.Run("a JSON answer", func(t *testing.T) {
		status, body := postChat(t, g.OpenAI, chatBody)
		require.Equal(t, 200, status, string(body))
		assert.Equal(t, "Hello from model-a.", decode(t, string(body))["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"])
		reqs := o.RequestsFor("model-a")
		require.Len(t, reqs, 1)
		assert.Equal(t, 2, reqs[0].ProtoMajor, "the provider offered HTTP/2")
	})

	t.Run("a streamed answer", func(t *testing.T) {
		o.Set("model-a", upstreamtest.Behavior{Reply: "streamed over two"})
		status, body := postChat(t, g.OpenAI, streamBody)
		require.Equal(t, 200, status, string(body))
		frames := dataFrames(t, body)
		require.NotEmpty(t, frames, string(body))
		assert.Equal(t, "[DONE]", frames[len(frames)-1])
		assert.Contains(t, string(body), `"content":"two"`)
		reqs := o.RequestsFor("model-a")
		require.Len(t, reqs, 2)
		assert.True(t, reqs[1].Stream)
		assert.Equal(t, 2, reqs[1].ProtoMajor)
	})

	t.Run("a Claude answer", func(t *testing.T) {
		status, body := postChat(t, g.Anthropic, chatBody)
		require.Equal(t, 200, status, string(body))
		assert.Contains(t, string(body), "Hello from claude-a.")
		reqs := a.RequestsFor("claude-a")
		require.Len(t, reqs, 1)
		assert.Equal(t, 2, reqs[0].ProtoMajor)
	})
}

// An HTTP/2 stream reaches the client event by event (the provider's
// flushes are not buffered on the way), and a client that leaves resets
// its stream at the provider (RST_STREAM: the provider's handler sees its
// request cancelled) while the connection, which other calls share, stays.
func TestClientLeavingAnHTTP2StreamCancelsItAtTheProvider(t *testing.T) {
	o, _, g := tlsFakes(t)
	// (Two events: the role chunk alone is held, the first word goes out.)
	o.Set("model-a", upstreamtest.Behavior{Stall: true, StallAfter: 2})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.OpenAI+"/chat/completions", strings.NewReader(streamBody))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	events := bufio.NewReader(res.Body)
	for {
		line, err := events.ReadString('\n')
		require.NoError(t, err, "the first word arrives while the provider's stream is still open")
		if strings.Contains(line, `"content":"Hello "`) {
			break
		}
	}

	cancel()
	require.True(t, o.WaitCancelled("model-a", 1, 5*time.Second), "the provider's stream was cancelled")
	assert.Empty(t, o.RequestsFor("model-b"), "no failover for a client that left")

	o.Set("model-a", upstreamtest.Behavior{})
	status, body := postChat(t, g.OpenAI, chatBody)
	require.Equal(t, 200, status, string(body))
	reqs := o.RequestsFor("model-a")
	require.Len(t, reqs, 2)
	assert.Equal(t, 2, reqs[1].ProtoMajor)
	assert.Equal(t, reqs[0].RemoteAddr, reqs[1].RemoteAddr, "the next call went over the same connection: only the stream was reset")
}

func TestProviderResettingAnHTTP2Stream(t *testing.T) {
	t.Run("midway, the client's stream ends with the interrupted error event", func(t *testing.T) {
		o, _, g := tlsFakes(t)
		o.Set("model-a", upstreamtest.Behavior{CutAfter: 2})
		status, body := postChat(t, g.OpenAI, streamBody)
		assert.Equal(t, 200, status, "the status went out with the first event")
		frames := dataFrames(t, body)
		require.Len(t, frames, 3, string(body))
		assert.Equal(t, "model-a-id", decode(t, frames[1])["model"])
		errObj, ok := decode(t, frames[2])["error"].(map[string]any)
		require.True(t, ok, frames[2])
		assert.Equal(t, "upstream_stream_interrupted", errObj["code"])
		assert.Contains(t, errObj["message"], "model-a-id stream broke off")
		assert.NotContains(t, string(body), "[DONE]")
		assert.Empty(t, o.RequestsFor("model-b"), "no failover once bytes went out")
		require.Len(t, o.RequestsFor("model-a"), 1)
		assert.Equal(t, 2, o.RequestsFor("model-a")[0].ProtoMajor)
	})

	t.Run("before its first event, the next model answers", func(t *testing.T) {
		o, _, g := tlsFakes(t)
		o.Set("model-a", upstreamtest.Behavior{CutAfter: -1})
		status, body := postChat(t, g.OpenAI, streamBody)
		require.Equal(t, 200, status, string(body))
		frames := dataFrames(t, body)
		require.NotEmpty(t, frames, string(body))
		assert.Equal(t, "model-b-id", decode(t, frames[0])["model"])
		assert.Equal(t, "[DONE]", frames[len(frames)-1])
		for _, m := range []string{"model-a", "model-b"} {
			reqs := o.RequestsFor(m)
			require.Len(t, reqs, 1, m)
			assert.Equal(t, 2, reqs[0].ProtoMajor, m)
		}
	})
}
