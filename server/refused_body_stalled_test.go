package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client that sends more than --max-body and then goes silent, its body
// unfinished, gets its 413 at once on every path that reads a body, the
// ones that do not read a refused body on for its model included
// (count_tokens, Azure's path, which names its deployment), and in an
// encoding the gateway cannot read for its model: the gateway does not
// wait on the rest, which net/http would otherwise read, with no deadline,
// before it answers.
func TestABodyOverTheLimitLeftUnfinishedIsAnswered(t *testing.T) {
	const limit = 4096
	e := newE2E(t, func(c *Config) { c.MaxBodyBytes = limit })
	body := `{"model":"model-router","max_tokens":5,"messages":[{"role":"user","content":"` + strings.Repeat("hi ", limit) + `"}]}`
	for _, call := range []struct{ path, encoding string }{
		{"/v1/messages/count_tokens", "identity"},
		{"/openai/deployments/model-router/chat/completions?api-version=2024-10-21", "identity"},
		{"/v1/chat/completions", "identity"},
		{"/v1/chat/completions", "br"},
	} {
		for _, sized := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s %s sized=%v", call.path, call.encoding, sized), func(t *testing.T) {
				conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
				require.NoError(t, err)
				defer conn.Close()
				require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second))) // hang guard
				head := "Transfer-Encoding: chunked"
				sent := fmt.Sprintf("%x\r\n%s\r\n", len(body), body) // no last chunk: the body goes on
				if sized {
					// Announced twice as long as what is sent.
					head, sent = fmt.Sprintf("Content-Length: %d", 2*len(body)), body
				}
				_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\napi-key: %s\r\n"+
					"Content-Type: application/json\r\nContent-Encoding: %s\r\n%s\r\n\r\n%s", call.path, e2eKey, e2eKey, call.encoding, head, sent)
				require.NoError(t, err)
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				require.NoError(t, err, "the gateway answers without the rest of the body")
				defer resp.Body.Close()
				assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
			})
		}
	}
}
