package upstream_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client that stops reading a stream (but keeps its connection) blocks
// the gateway's write once the socket buffers fill, and with it the
// gateway's reads from the provider. The stream's silence limit ends that
// write too, so Forward returns (a broken stream, 502) and the handler,
// the decision-log row, the capacity settlement and the in-flight count
// that shutdown waits for are not held by the client.
func TestStreamToAClientThatStopsReadingEndsAtTheSilenceLimit(t *testing.T) {
	o := newScripted(t)
	pad := strings.Repeat("x", 16<<10)
	evs := make([]string, 0, 4000)
	for range 4000 { // 64 MiB, more than any socket buffer
		evs = append(evs, chatChunkText("gpt-x", pad))
	}
	o.set("gpt-x", evs...)
	fwd := scriptedForwarder(o, nil)
	fwd.StreamIdle = 500 * time.Millisecond
	g := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("gpt-x"))
	u, err := url.Parse(g.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		u.Host, len(streamChatBody), streamChatBody)
	require.NoError(t, err)
	// Read the status line, so the stream has begun, then stop reading.
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "200")
	select {
	case out := <-g.outcomes:
		assert.Equal(t, http.StatusBadGateway, out.Status)
	case <-time.After(10 * time.Second): // hang guard, 20 times the limit
		t.Fatal("Forward is still blocked writing to a client that does not read, long after the silence limit")
	}
}

// A stream that stalls past its silence limit still ends with the
// gateway's error event for a client that reads: the bound on writes to
// the client leaves time for it.
func TestStreamStalledPastItsSilenceLimitEndsWithAnErrorEvent(t *testing.T) {
	f := newFakes(t)
	f.fwd.StreamIdle = 300 * time.Millisecond
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	assert.Contains(t, string(body), "upstream_stream_interrupted")
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status)
}
