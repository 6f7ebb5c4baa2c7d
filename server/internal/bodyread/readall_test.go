package bodyread

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// growthSteps is the sizes of the buffers a body claiming size bytes is
// read through, smallest first.
func growthSteps(size int64) []int {
	steps := []int{nextSize(0, size)}
	for int64(steps[len(steps)-1]) < size {
		steps = append(steps, nextSize(steps[len(steps)-1], size))
	}
	return steps
}

// readClaiming reads body through Read as a request claiming a
// Content-Length of claimed (-1: none), arriving at most piece bytes a read.
func readClaiming(t *testing.T, body []byte, claimed int64, piece int) ([]byte, error) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Body = io.NopCloser(pieces{bytes.NewReader(body), piece})
	req.ContentLength = claimed
	return Read(deadlineWriter{httptest.NewRecorder()}, req, Limit{Max: 20 << 20, Timeout: time.Minute})
}

// A body of the length it claims is read byte for byte at sizes about each
// step its buffer grows through (so it is full just before, at and just
// after a step), arriving in reads small and large, and ends in a buffer
// of exactly its length; without a length, the same bodies read the same.
func TestReadReadsABodyAboutEachGrowthStepAsSent(t *testing.T) {
	var sizes []int
	for _, s := range growthSteps(5_000_003) {
		sizes = append(sizes, s-1, s, s+1)
	}
	sizes = append(sizes, 1, firstRead-1, firstRead, firstRead+1, 2*firstRead, 2*firstRead+1)
	for _, n := range sizes {
		body := randomBody(n)
		for _, piece := range []int{1000, 64<<10 + 3, 1 << 30} {
			for _, claimed := range []int64{int64(n), -1} {
				got, err := readClaiming(t, body, claimed, piece)
				require.NoError(t, err)
				name := fmt.Sprintf("%d bytes claiming %d, %d a read", n, claimed, piece)
				require.True(t, bytes.Equal(body, got), "%s: read %d bytes, not as sent", name, len(got))
				if claimed >= 0 {
					assert.Equal(t, n, cap(got), "%s: its buffer is not its length", name)
				}
			}
		}
	}
}

// A Content-Length that lies does not change what is read: a body shorter
// than it claims (ended early at each growth step and between) and one
// longer (only a reader other than net/http's gives one) read byte for
// byte as sent, within the limit.
func TestReadReadsABodyWhoseContentLengthLiesAsSent(t *testing.T) {
	const claimed = 3_000_001
	var sizes []int
	for _, s := range growthSteps(claimed) {
		sizes = append(sizes, s-1, s, s+1)
	}
	sizes = append(sizes, 0, claimed+1, claimed+firstRead+7, 2*claimed+5)
	for _, n := range sizes {
		body := randomBody(n)
		for _, piece := range []int{1000, 64<<10 + 3, 1 << 30} {
			got, err := readClaiming(t, body, claimed, piece)
			require.NoError(t, err)
			require.True(t, bytes.Equal(body, got), "%d bytes claiming %d, %d a read: read %d bytes, not as sent", n, claimed, piece, len(got))
		}
	}
}

// A body read error that comes when the buffer is full at its claimed
// length (the connection broke as the last byte came) is the read's.
func TestReadKeepsAnErrorAtTheClaimedLength(t *testing.T) {
	body := randomBody(200_000)
	req := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(bytes.NewReader(body), brokenOff{}))
	req.ContentLength = int64(len(body))
	got, err := Read(httptest.NewRecorder(), req, Limit{Max: 20 << 20, Timeout: time.Minute})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.True(t, bytes.Equal(body, got))
}

// allocatedReading is what reading body through Read allocates in all,
// claiming a Content-Length of claimed.
func allocatedReading(t *testing.T, body []byte, claimed int64) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := readClaiming(t, body, claimed, 64<<10)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, len(body), len(got))
	return after.TotalAlloc - before.TotalAlloc
}

// A body that says its length is read allocating under twice its size in
// all (io.ReadAll, not knowing it, allocated 2.25x and more).
func TestReadAllocatesUnderTwiceABodyOfKnownLength(t *testing.T) {
	for _, n := range []int{100_000, 2_700_000, 10_000_000} {
		body := randomBody(n)
		got := allocatedReading(t, body, int64(n))
		assert.Less(t, got, uint64(2*n), "reading %d bytes that said their length allocated %d bytes", n, got)
	}
}

// A client that claims a large Content-Length and sends part of it pins a
// bounded multiple of what it sent, at every amount sent, not the claim.
func TestReadAllocatesABoundedMultipleOfWhatArrived(t *testing.T) {
	const claimed = 16 << 20
	for _, sent := range []int{100 << 10, 1<<20 + 1, 3 << 20} {
		req := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(bytes.NewReader(randomBody(sent)), brokenOff{}))
		req.ContentLength = claimed
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		raw, err := Read(httptest.NewRecorder(), req, Limit{Max: 20 << 20, Timeout: time.Minute})
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Equal(t, sent, len(raw))
		bound := uint64(2*growth*sent + firstRead)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, bound,
			"reading %d bytes of a body that claims %d", sent, claimed)
	}
}
