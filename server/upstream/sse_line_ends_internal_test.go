package upstream

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads r's events to the stream's end.
func readAll(r *sseReader) ([]sseEvent, error) {
	var got []sseEvent
	for {
		ev, err := r.next()
		if err != nil {
			return got, err
		}
		got = append(got, ev)
	}
}

// The SSE format ends a line in CRLF, LF or a lone CR (WHATWG HTML, event
// stream interpretation): a stream written with any of them, or a mix, is
// read as the same events, also when a CRLF is split across two reads.
func TestSSEReaderLineEnds(t *testing.T) {
	events := []sseEvent{{name: "e", data: []byte("{\n\"a\":1}")}, {data: []byte("[DONE]")}}
	// Each stream's first event has two data lines, which join to JSON:
	// a line end read as two (CRLF as CR and then a blank LF) would
	// dispatch `{` alone, which is not JSON.
	for name, stream := range map[string]string{
		"LF":    "event: e\ndata: {\ndata: \"a\":1}\n\ndata: [DONE]\n\n",
		"CRLF":  "event: e\r\ndata: {\r\ndata: \"a\":1}\r\n\r\ndata: [DONE]\r\n\r\n",
		"CR":    "event: e\rdata: {\rdata: \"a\":1}\r\rdata: [DONE]\r\r",
		"mixed": "event: e\rdata: {\r\ndata: \"a\":1}\n\rdata: [DONE]\r\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(newSSEReader(strings.NewReader(stream)))
			assert.ErrorIs(t, err, io.EOF)
			assert.Equal(t, events, got)
		})
		t.Run(name+", a byte a read", func(t *testing.T) {
			got, err := readAll(newSSEReader(iotest.OneByteReader(strings.NewReader(stream))))
			assert.ErrorIs(t, err, io.EOF)
			assert.Equal(t, events, got)
		})
	}
}

// A CRLF whose CR is the last byte of the reader's buffer and whose LF
// comes in the next fill is one line end, not a line end and a blank line.
func TestSSEReaderCRLFAcrossTheBuffer(t *testing.T) {
	first := `data: {"a":"`
	first += strings.Repeat("x", 4<<10-len(first)-len(`",`)-1) + `",`
	stream := first + "\r\ndata: \"b\":1}\r\n\r\n"
	require.Equal(t, byte('\r'), stream[4<<10-1], "the CR ends the first fill of the 4 KiB buffer")
	got, err := readAll(newSSEReader(strings.NewReader(stream)))
	assert.ErrorIs(t, err, io.EOF)
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"a":"`+first[len(`data: {"a":"`):len(first)-2]+`","b":1}`, string(got[0].data))
}

// errReadOn is what scriptedReader answers once its script is over.
var errReadOn = errors.New("read past the script")

// scriptedReader answers its reads in turn, then errReadOn.
type scriptedReader struct{ reads []string }

func (s *scriptedReader) Read(p []byte) (int, error) {
	if len(s.reads) == 0 {
		return 0, errReadOn
	}
	n := copy(p, s.reads[0])
	s.reads[0] = s.reads[0][n:]
	if s.reads[0] == "" {
		s.reads = s.reads[1:]
	}
	return n, nil
}

// An event whose blank line is a lone CR, the last byte the provider sent
// so far, goes out then: the reader does not wait for the next byte to
// learn whether an LF follows (a provider silent until its next token
// would hold this one back).
func TestSSEReaderEventEndedByALastCR(t *testing.T) {
	r := newSSEReader(&scriptedReader{reads: []string{"data: {\"a\":1}\r", "\r"}})
	ev, err := r.next()
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(ev.data))
	_, err = r.next()
	assert.ErrorIs(t, err, errReadOn, "the next event is read only when asked for")
}

// The 16 MiB bound holds for a line that ends in a lone CR, whose reader
// cannot split on LF.
func TestSSEReaderBoundsACRLine(t *testing.T) {
	r := newSSEReader(strings.NewReader("data: \"" + strings.Repeat("x", maxEventBytes) + "\"\r\r"))
	_, err := r.next()
	assert.ErrorIs(t, err, errEventTooLarge)
}

// A last line without its end, read in one go after a shorter event, is
// read whole: waiting for its end moves it to the buffer's start.
func TestSSEReaderLastLineWithoutItsEnd(t *testing.T) {
	got, err := readAll(newSSEReader(strings.NewReader("data: 1\n\ndata: {\"b\":2}")))
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, []sseEvent{{data: []byte("1")}, {data: []byte(`{"b":2}`)}}, got)
}
