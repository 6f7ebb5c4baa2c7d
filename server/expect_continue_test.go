package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// curl sends `Expect: 100-continue` with a body over 1 MiB (.NET's
// HttpClient and others may too) and waits for the gateway's `100 Continue`
// before it sends the body. These tests speak HTTP/1.1 by hand, so the body
// goes out only when the test decides.

// expectClient is one connection to the gateway, speaking HTTP/1.1 by
// hand, that sent a request's headers (with Expect: 100-continue, from
// sendHeaders) and no body yet.
type expectClient struct {
	conn net.Conn
	br   *bufio.Reader
}

// sendHeaders opens a connection to e and sends the headers of a POST to
// path with key, announcing a body of length bytes it does not send.
func sendHeaders(t *testing.T, e *e2e, path, key string, length int) *expectClient {
	t.Helper()
	return sendHead(t, e, path, key, fmt.Sprintf("Content-Length: %d\r\nExpect: 100-continue\r\n", length))
}

// sendHead opens a connection to e and sends the headers of a JSON POST to
// path with key and the header lines extra (each ending in CRLF), and no
// body: the test writes it to conn when it decides.
func sendHead(t *testing.T, e *e2e, path, key, extra string) *expectClient {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\n%s\r\n", path, key, extra)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
	return &expectClient{conn: conn, br: bufio.NewReader(conn)}
}

// next reads the gateway's next response, interim (100) or final, with its
// body.
func (x *expectClient) next(t *testing.T) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(x.br, nil)
	require.NoError(t, err, "the gateway answers")
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, raw
}

// closedByGateway reports whether the gateway closed the connection after
// its answer, rather than leaving it open for a body it did not ask for.
func (x *expectClient) closedByGateway(t *testing.T) bool {
	t.Helper()
	_, err := x.br.ReadByte()
	return err == io.EOF
}

// A client that waits for 100 Continue before sending its body is asked
// for it and answered, on Chat Completions and on the Messages API.
func TestAClientThatWaitsFor100ContinueIsAnswered(t *testing.T) {
	for _, tc := range []struct{ path, body string }{
		{"/v1/chat/completions", chatBody},
		{"/v1/messages", `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is the capital of France?"}]}`},
	} {
		e := newE2E(t)
		x := sendHeaders(t, e, tc.path, e2eKey, len(tc.body))
		resp, _ := x.next(t)
		require.Equal(t, http.StatusContinue, resp.StatusCode, "%s: the gateway asks for the body", tc.path)

		_, err := io.WriteString(x.conn, tc.body)
		require.NoError(t, err)
		resp, raw := x.next(t)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", tc.path, raw)
		assert.Contains(t, string(raw), "Hello from", tc.path)
		assert.Len(t, append(e.openai.Requests(), e.anthropic.Requests()...), 1, "%s: the call went upstream once", tc.path)
	}
}

// A wrong key is refused before the body is asked for: the client gets
// 401 instead of 100 Continue, so it never sends a body the gateway would
// only throw away, and the connection is closed rather than left waiting
// for a body that will not come.
func TestAWrongKeyIsRefusedWithoutAskingForTheBody(t *testing.T) {
	e := newE2E(t)
	x := sendHeaders(t, e, "/v1/chat/completions", "sk-wrong", 5<<20)
	resp, raw := x.next(t)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no 100 Continue before the refusal: %s", raw)
	assert.Equal(t, router.EUnauthorized, errorShapeOf(t, raw).Error.Code)
	assert.True(t, x.closedByGateway(t), "the gateway closes the connection")
	assert.Empty(t, e.openai.Requests(), "nothing went upstream")
}

// A body announced larger than --max-body is refused by its Content-Length
// before it is asked for: the client gets 413 instead of 100 Continue and
// does not send megabytes the gateway would read only to refuse.
func TestABodyAnnouncedOverTheLimitIsRefusedWithoutAskingForIt(t *testing.T) {
	for _, tc := range []struct {
		path      string
		anthropic bool
	}{
		{"/v1/chat/completions", false},
		{"/v1/messages", true},
	} {
		e := newE2E(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
		x := sendHeaders(t, e, tc.path, e2eKey, 2<<20)
		resp, raw := x.next(t)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s: no 100 Continue before the refusal: %s", tc.path, raw)
		body := errorShapeOf(t, raw)
		assert.Equal(t, router.ETooLarge, body.Error.Code, tc.path)
		if tc.anthropic {
			assert.Equal(t, "error", body.Type, "Anthropic's error shape on the Messages API: %s", raw)
		}
		assert.True(t, x.closedByGateway(t), "%s: the gateway closes the connection", tc.path)
		rec := e.log.waitFor(t, 1)[0]
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Status, "%s: logged as refused", tc.path)
	}
}

// slowKeys verifies keys as keyStore does, after a pause (a key store on a
// busy disk).
type slowKeys struct {
	keyStore
	pause time.Duration
}

func (k slowKeys) VerifyKey(ctx context.Context, key string) (string, error) {
	time.Sleep(k.pause)
	return k.keyStore.VerifyKey(ctx, key)
}

// The body's silence is counted from when the gateway asks for it: a
// client that waits for 100 Continue while the key check takes longer
// than --body-timeout is not answered 408 for a silence the gateway asked
// for.
func TestTheBodyTimeoutStartsWhenTheBodyIsAskedFor(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := newE2E(t, func(c *Config) {
		c.BodyTimeout = timeout
		c.Keys = slowKeys{keyStore: keyStore{e2eKey: true}, pause: 3 * timeout}
	})
	x := sendHeaders(t, e, "/v1/chat/completions", e2eKey, len(chatBody))
	resp, raw := x.next(t)
	require.Equal(t, http.StatusContinue, resp.StatusCode, "the gateway asks for the body: %s", raw)

	_, err := io.WriteString(x.conn, chatBody)
	require.NoError(t, err)
	resp, raw = x.next(t)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
}
