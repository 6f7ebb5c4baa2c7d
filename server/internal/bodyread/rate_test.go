package bodyread

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// pacedRead is what the handler of pacedSend made of the body it read.
type pacedRead struct {
	body    []byte
	err     error
	status  int    // the answer the client got
	message string // its body
	closed  bool   // the connection ended after the answer, within a second
}

// pacedSend serves one request on 127.0.0.1 whose body is read by Read
// under l, and sends it over raw TCP as a Content-Length of total bytes: a
// first part at once, then `each` bytes every `every` while the connection
// takes them, up to total. The handler answers a stalled body as the
// routes do (StalledError, its connection then closed) and one read whole
// 200.
func pacedSend(t *testing.T, l Limit, first, each, total int, every time.Duration) pacedRead {
	t.Helper()
	var got pacedRead
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, got.err = Read(w, r, l)
		if Stalled(got.err) {
			w.WriteHeader(http.StatusRequestTimeout)
			_, _ = io.WriteString(w, StalledError(got.err).Error())
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second))) // hang guard

	body := randomBody(total)
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n", total)
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		sent := min(first, total)
		if _, err := conn.Write(body[:sent]); err != nil {
			return
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for sent < total {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			n := min(each, total-sent)
			if _, err := conn.Write(body[sent : sent+n]); err != nil {
				return
			}
			sent += n
		}
	}()

	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	got.status, got.message = resp.StatusCode, string(raw)
	// A kept connection is told by its silence: a short wait, not a bound.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Second)))
	_, err = br.ReadByte()
	// Closed with the client's bytes unread, the connection may be reset.
	got.closed = err == io.EOF || errors.Is(err, syscall.ECONNRESET)
	if got.err == nil {
		assert.True(t, bytes.Equal(body, got.body), "read %d bytes, not the %d sent", len(got.body), total)
	}
	return got
}

// A client that keeps sending, but slower than the minimum rate, is ended
// once the grace period has passed, as a silent one is: 408 timeout, its
// connection closed, and the message names the rate, not a silence. (10
// bytes every 50 ms is 200 bytes a second; its longest silence is far
// inside the timeout.)
func TestReadEndsABodyThatTricklesBelowTheMinimumRate(t *testing.T) {
	l := Limit{Max: 1 << 20, Timeout: 10 * time.Second, MinRate: 1000, Grace: 300 * time.Millisecond}
	got := pacedSend(t, l, 10, 10, 400, 50*time.Millisecond)
	require.True(t, Stalled(got.err), "the read ended with %v", got.err)
	assert.Equal(t, router.ETimeout, router.ErrorCode(StalledError(got.err)))
	assert.Equal(t, http.StatusRequestTimeout, got.status)
	assert.Contains(t, got.message, "under the minimum of 1000 bytes a second")
	assert.NotContains(t, got.message, "No part of the request body arrived")
	assert.True(t, got.closed, "the connection is closed after the 408")
}

// A body that arrives steadily above the minimum rate is read whole however
// long it takes; and with no minimum (MinRate 0) a body slower than any is
// read whole too, bound only by its silences. (Each read's deadline is a
// second or more ahead: a loaded machine's pauses do not end the read.)
func TestReadReadsABodyAboveTheMinimumRateOrWithNoMinimum(t *testing.T) {
	for _, tc := range []struct {
		name    string
		minRate int64
		first   int
		each    int
	}{
		// 2,000 bytes at once, then 1,000 every 20 ms: 50,000 bytes a
		// second, the rate's deadline 2 s past the start, then further.
		{name: "steady above the rate", minRate: 1000, first: 2000, each: 1000},
		// 10 bytes every 20 ms is 500 bytes a second.
		{name: "no minimum", minRate: 0, first: 10, each: 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := Limit{Max: 1 << 20, Timeout: 10 * time.Second, MinRate: tc.minRate, Grace: 200 * time.Millisecond}
			got := pacedSend(t, l, tc.first, tc.each, 50*tc.each, 20*time.Millisecond)
			require.NoError(t, got.err)
			assert.Equal(t, http.StatusOK, got.status, got.message)
			assert.False(t, got.closed, "the connection is kept")
		})
	}
}

// A body that went silent with enough of it in to be above the rate is
// told as a silence, not as slow. (The grace outlasts the silence's bound,
// so a first part that arrives late is still no case of the rate.)
func TestStalledErrorSaysASilenceUnderAMinimumRate(t *testing.T) {
	l := Limit{Max: 1 << 20, Timeout: 200 * time.Millisecond, MinRate: 1000, Grace: time.Second}
	got := pacedSend(t, l, 5000, 0, 6000, time.Hour)
	require.True(t, Stalled(got.err), "the read ended with %v", got.err)
	assert.Equal(t, http.StatusRequestTimeout, got.status)
	assert.Contains(t, got.message, "No part of the request body arrived for 200ms")
	assert.True(t, got.closed, "the connection is closed after the 408")
}

// The grace period bounds a body's start too: a small body that arrives
// whole after a pause shorter than the grace is read (a body whose read is
// done is not timed), while one that begins only after it is ended by the
// rate (0 bytes in the grace), though its pause is far inside Timeout;
// README's Limits says so.
func TestTheGraceBoundsWhenASmallBodyMayArrive(t *testing.T) {
	l := Limit{Max: 1 << 20, Timeout: 10 * time.Second, MinRate: 1000, Grace: time.Second}
	// 100 bytes, far under MinRate*Grace, at once after 100 ms.
	got := pacedSend(t, l, 0, 100, 100, 100*time.Millisecond)
	require.NoError(t, got.err)
	assert.Equal(t, http.StatusOK, got.status, got.message)
	assert.False(t, got.closed, "the connection is kept")

	// The same body after 2 s.
	got = pacedSend(t, l, 0, 100, 100, 2*time.Second)
	require.True(t, Stalled(got.err), "the read ended with %v", got.err)
	assert.Equal(t, http.StatusRequestTimeout, got.status)
	assert.Contains(t, got.message, "(0 bytes in ")
	assert.True(t, got.closed, "the connection is closed after the 408")
}
