package bodyread

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomBody is n bytes no two tests share by chance: a body read out of
// order or with a buffer's stale bytes would not compare equal.
func randomBody(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(n), byte(n >> 8), byte(n >> 16)})
	_, _ = r.Read(b)
	return b
}

// readOver serves one request on 127.0.0.1 whose body is read by Read
// under max, and returns what the handler got: the body, or for one
// refused, what ReadOn hands on of it (what was read and the rest, up to
// readOn bytes). chunked sends it without a Content-Length.
func readOver(t *testing.T, body []byte, max, readOn int64, chunked bool) (got []byte, refused bool) {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		if chunked {
			assert.Equal(t, int64(-1), r.ContentLength)
		} else {
			assert.Equal(t, int64(len(body)), r.ContentLength)
		}
		raw, err := Read(w, r, Limit{Max: max, Timeout: 10 * time.Second})
		var ref *Refused
		switch {
		case err == nil:
			got = raw
		case assert.ErrorAs(t, err, &ref):
			refused = true
			ref.ReadOn(readOn, func(read []byte, rest io.Reader) {
				more, err := io.ReadAll(rest)
				if err != nil { // a body shorter than readOn ends first
					assert.ErrorIs(t, err, ErrReadFarEnough)
				}
				got = append(append([]byte{}, read...), more...)
			})
		}
	}))
	defer srv.Close()
	var r io.Reader = bytes.NewReader(body) // its length is sent
	if chunked {
		r = io.MultiReader(r) // no length known: sent chunked
	}
	resp, err := http.Post(srv.URL, "application/json", r)
	if err == nil {
		_ = resp.Body.Close()
	}
	<-done
	return got, refused
}

// A body within the limit reads byte for byte as it was sent, with or
// without a Content-Length, at sizes about io.ReadAll's first buffer (512)
// and the sizes it grows through, and at the limit itself.
func TestReadReadsTheBodyAsSent(t *testing.T) {
	const max = 3 << 20
	for _, n := range []int{0, 1, 100, 511, 512, 513, 1024, 1536, 70_000, 1 << 20, 2<<20 + 3, max} {
		body := randomBody(n)
		for _, chunked := range []bool{false, true} {
			got, refused := readOver(t, body, max, 0, chunked)
			require.False(t, refused, "%d bytes, chunked %v", n, chunked)
			require.True(t, bytes.Equal(body, got), "%d bytes, chunked %v: read %d bytes, not as sent", n, chunked, len(got))
			assert.NotNil(t, got)
		}
	}
}

// A body over the limit is refused, with or without a Content-Length, and
// what ReadOn hands on of it is its first bytes as they were sent: those
// Read read (none where its Content-Length refused it) and the rest.
func TestReadOnAnOverLimitBodyHandsOnItsBytesAsSent(t *testing.T) {
	const max = 1 << 20
	for _, n := range []int{max + 1, max + 1000, 2*max + 5} {
		body := randomBody(n)
		for _, chunked := range []bool{false, true} {
			readOn := int64(max + 600)
			got, refused := readOver(t, body, max, readOn, chunked)
			require.True(t, refused, "%d bytes, chunked %v", n, chunked)
			want := body[:min(int64(n), readOn)]
			require.True(t, bytes.Equal(want, got), "%d bytes, chunked %v: handed on %d bytes, not the %d sent first", n, chunked, len(got), len(want))
		}
	}
}

// A client that claims a large Content-Length and sends a little of it
// before it breaks off must not make the gateway allocate what it claimed:
// many such calls would otherwise each pin the limit's worth of memory.
func TestReadDoesNotAllocateAClaimedLength(t *testing.T) {
	const claimed, sent = 16 << 20, 1 << 10
	part := strings.Repeat("x", sent)
	req := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(strings.NewReader(part), brokenOff{}))
	req.ContentLength = claimed

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	raw, err := Read(httptest.NewRecorder(), req, Limit{Max: 20 << 20, Timeout: time.Minute})
	runtime.ReadMemStats(&after)

	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, part, string(raw))
	// A generous bound: the read's first buffer is at most 64 KiB (firstRead).
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(claimed/16),
		"reading %d bytes of a body that claims %d allocated %d bytes", sent, claimed, after.TotalAlloc-before.TotalAlloc)
}

// brokenOff is a client that stopped sending: net/http's body read fails
// so when the connection ends before the Content-Length.
type brokenOff struct{}

func (brokenOff) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
