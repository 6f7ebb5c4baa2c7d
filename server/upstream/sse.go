package upstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// sseEvent is one server-sent event: its optional `event:` name and its
// data (several data lines joined by "\n"). Comments, id and retry lines
// are dropped: no provider we speak to uses them.
type sseEvent struct {
	name string
	data []byte
}

// maxEventBytes bounds one event, so a broken upstream cannot make us
// buffer without end.
const maxEventBytes = 16 << 20

var errEventTooLarge = errors.New("server-sent event over 16 MiB")

// errEventNotJSON ends a stream at an event whose data is neither JSON nor
// [DONE]: every provider we speak to sends JSON, so such an event is a
// broken stream. Passed on, it is a chunk the client's SDK cannot parse
// (openai-go and anthropic-sdk-go stop with a bare JSON syntax error, the
// log then calling the client the one that left); dropped, as the
// translations did, it loses part of the answer while the stream still
// ends as a success.
var errEventNotJSON = errors.New("server-sent event that is not JSON")

// sseReader splits a stream into events as they arrive.
type sseReader struct {
	br *bufio.Reader
	// begun: past the stream's first line, where the format allows one
	// byte order mark (not part of the first field's name).
	begun bool
	// afterCR: the last line ended in a CR that was the last byte read,
	// so an LF that comes next is that CR's CRLF, not a blank line.
	afterCR bool
}

// byteOrderMark is UTF-8's, which a few servers write before a stream.
var byteOrderMark = []byte("\xef\xbb\xbf")

// newSSEReader reads r through a 4 KiB buffer: every open stream holds
// one, and a provider's events are mostly a token's delta each. A longer
// line (a Responses answer whole in response.completed) is gathered in
// line, so the buffer bounds no event's size, only what each stream keeps.
func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReaderSize(r, 4<<10)} }

// next returns the next event that carries data. At the stream's end it
// returns io.EOF, or the read error (io.ErrUnexpectedEOF and friends) when
// the connection broke.
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	var hasData bool
	size := 0
	for {
		line, err := r.line()
		if len(line) == 0 && err != nil {
			if hasData && errors.Is(err, io.EOF) {
				return lastEvent(ev)
			}
			return sseEvent{}, err
		}
		if !r.begun {
			r.begun = true
			line = bytes.TrimPrefix(line, byteOrderMark)
		}
		if len(line) == 0 {
			if hasData && len(bytes.TrimSpace(ev.data)) > 0 {
				return wholeEvent(ev)
			}
			// An event with empty data carries nothing (a heartbeat at
			// most): dropped as a comment is, since no SDK parses it.
			ev, hasData, size = sseEvent{}, false, 0
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		if string(field) == "error" && !hasData && json.Valid(value) {
			// llama.cpp's llama-server writes an error that comes after
			// its stream began on a field of its own, `error: {"code":
			// 500, "message": ..., "type": ...}`, which the SSE format
			// drops as unknown: read as OpenAI's error chunk, its message
			// says why the stream ended.
			field, value = []byte("data"), append(append([]byte(`{"error":`), value...), '}')
		}
		switch string(field) {
		case "event":
			ev.name = string(value)
		case "data":
			size += len(value)
			if size > maxEventBytes {
				return sseEvent{}, errEventTooLarge
			}
			if hasData {
				ev.data = append(ev.data, '\n')
			}
			ev.data = append(ev.data, value...)
			hasData = true
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return sseEvent{}, err
		}
	}
}

// line returns the next line without its end: CRLF, LF or a lone CR, as
// the SSE format allows (a server that ends its lines in CR alone is
// whole, not broken). At the stream's end it returns what is left, maybe
// nothing, with the read's error. The line is the reader's own bytes
// until the next call, as bufio.Reader.ReadSlice's are. A CR that is the
// last byte read ends its line at once, not when the next byte comes (a
// stream that is then silent still gets its event); an LF that follows
// it later is skipped as the rest of that CRLF.
func (r *sseReader) line() ([]byte, error) {
	if r.afterCR {
		r.afterCR = false
		b, err := r.br.Peek(1)
		if err != nil {
			return nil, err
		}
		if b[0] == '\n' {
			_, _ = r.br.Discard(1)
		}
	}
	var long []byte // a line longer than the buffer, gathered whole
	seen := 0       // bytes of buf already searched, a line's end in none
	for {
		buf, _ := r.br.Peek(r.br.Buffered()) // what has come, without waiting
		if i := lineEnd(buf[seen:]); i >= 0 {
			i += seen
			n := i + 1
			if buf[i] == '\r' && n < len(buf) && buf[n] == '\n' {
				n++
			} else if buf[i] == '\r' && n == len(buf) {
				r.afterCR = true
			}
			line := buf[:i]
			if long != nil {
				line = append(long, line...)
			}
			_, _ = r.br.Discard(n)
			return line, nil
		}
		if len(buf) == r.br.Size() {
			// A full buffer and no line's end: a long line.
			if len(long) > maxEventBytes {
				return nil, errEventTooLarge
			}
			long = append(long, buf...)
			_, _ = r.br.Discard(len(buf))
			seen = 0
			continue
		}
		seen = len(buf)
		// Wait for one more byte: Peek answers an error only when none
		// came.
		if _, err := r.br.Peek(len(buf) + 1); err != nil {
			// The fill that failed may have slid the buffered bytes to
			// the buffer's start, over where buf still points.
			buf, _ = r.br.Peek(r.br.Buffered())
			_, _ = r.br.Discard(len(buf))
			if long != nil {
				return append(long, buf...), err
			}
			return buf, err
		}
	}
}

// lineEnd is where buf's first line ends (its CR or LF), -1 when it does
// not. Lines end in LF mostly: the search for a CR is bounded by it.
func lineEnd(buf []byte) int {
	lf := bytes.IndexByte(buf, '\n')
	if lf < 0 {
		return bytes.IndexByte(buf, '\r')
	}
	if cr := bytes.IndexByte(buf[:lf], '\r'); cr >= 0 {
		return cr
	}
	return lf
}

// wholeEvent is an event that ended with its blank line: [DONE] or JSON,
// anything else errEventNotJSON. Data that begins with [DONE] is [DONE],
// as OpenAI's SDKs read it (a prefix match), so a server that writes
// "[DONE] " still ends its stream rather than breaking it.
func wholeEvent(ev sseEvent) (sseEvent, error) {
	if bytes.HasPrefix(ev.data, doneData) {
		ev.data = ev.data[:len(doneData)] // its own bytes: no event shares a buffer
		return ev, nil
	}
	if json.Valid(ev.data) {
		ev.data = jsonscan.WholeUTF8(ev.data) // as a whole answer's (answer)
		return ev, nil
	}
	return sseEvent{}, errEventNotJSON
}

var doneData = []byte("[DONE]")

// lastEvent is an event the stream ended in without its blank line. Some
// servers end with `data: [DONE]` so; but a body that ends where the
// connection did may have stopped inside the event, and half an event
// passed on as whole is a chunk no SDK can parse, and no failover. So only
// what a whole event may be ([DONE], read as wholeEvent reads it, or
// whole JSON) counts as an event; anything else is a cut stream.
func lastEvent(ev sseEvent) (sseEvent, error) {
	if ev, err := wholeEvent(ev); err == nil {
		return ev, nil
	}
	return sseEvent{}, io.ErrUnexpectedEOF
}

// appendTo writes the event in wire form.
func (ev sseEvent) appendTo(b []byte) []byte {
	if ev.name != "" {
		b = append(b, "event: "...)
		b = append(b, ev.name...)
		b = append(b, '\n')
	}
	data := ev.data
	for {
		line, rest, more := bytes.Cut(data, []byte("\n"))
		b = append(b, "data: "...)
		b = append(b, line...)
		b = append(b, '\n')
		if !more {
			break
		}
		data = rest
	}
	return append(b, '\n')
}
