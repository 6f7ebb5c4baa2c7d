// Package bodyreadtest sends bodies over a route's limit by hand, over raw
// TCP, the ways a client can (chunked or with a Content-Length, then more
// slowly or nothing), for the tests of every route that reads a body:
// each must answer 413 and close the connection rather than wait for the
// rest.
package bodyreadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// HangGuard bounds how long a test waits for the answer and for the
// connection's end: a gateway that waits for more of a refused body waits
// for as long as the client sends it.
const HangGuard = 10 * time.Second

// Sending is one way of sending a body over a route's limit.
type Sending struct {
	Name string
	// Chunked sends the body chunked, without a Content-Length; otherwise
	// its Content-Length announces three times the limit.
	Chunked bool
	// Trickle: the client sends more than twice the limit at once (past
	// what any route reads of a refused body), then one more byte every
	// 20 ms, as long as the connection takes them; otherwise it sends the
	// limit and 1 KiB, then nothing.
	Trickle bool
}

// Sendings are the ways a test sends a body over the limit.
var Sendings = []Sending{
	{Name: "chunked then slowly", Chunked: true, Trickle: true},
	{Name: "chunked then silent", Chunked: true},
	{Name: "content-length then slowly", Trickle: true},
	{Name: "content-length then silent"},
}

// Send opens a connection to addr and sends head (the request line and
// headers, each ending in CRLF, without the blank line) with a body that
// starts with prefix and is over limit, as s says. It returns the answer,
// its body, and whether the connection then ended (closed, or reset), all
// within HangGuard.
func Send(t *testing.T, addr, head, prefix string, limit int, s Sending) (*http.Response, []byte, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { close(done); conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(HangGuard)))

	sent := limit + 1024
	if s.Trickle {
		sent = 2*limit + 1024
	}
	body := prefix + strings.Repeat("a", sent-len(prefix))
	var out string
	if s.Chunked {
		out = fmt.Sprintf("%sTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", head, len(body), body)
	} else {
		out = fmt.Sprintf("%sContent-Length: %d\r\n\r\n%s", head, 3*limit, body)
	}
	// The writes go on beside the reads: a route may answer before it
	// reads all that was sent, or any of it.
	go func() {
		if _, err := io.WriteString(conn, out); err != nil || !s.Trickle {
			return
		}
		more := "a"
		if s.Chunked {
			more = "1\r\na\r\n"
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := io.WriteString(conn, more); err != nil {
					return
				}
			}
		}
	}()

	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "%s: answered without the rest of the body", s.Name)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err, s.Name)
	resp.Body.Close()
	_, err = br.ReadByte()
	return resp, raw, err == io.EOF || errors.Is(err, syscall.ECONNRESET)
}
