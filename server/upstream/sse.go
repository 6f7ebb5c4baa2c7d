package upstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
}

// byteOrderMark is UTF-8's, which a few servers write before a stream.
var byteOrderMark = []byte("\xef\xbb\xbf")

// newSSEReader reads r through a 4 KiB buffer: every open stream holds
// one, and a provider's events are mostly a token's delta each. A longer
// line (a Responses answer whole in response.completed) is gathered in
// next, so the buffer bounds no event's size, only what each stream keeps.
func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReaderSize(r, 4<<10)} }

// next returns the next event that carries data. At the stream's end it
// returns io.EOF, or the read error (io.ErrUnexpectedEOF and friends) when
// the connection broke.
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	var hasData bool
	size := 0
	for {
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long line: gather it whole.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(long) > maxEventBytes {
					return sseEvent{}, errEventTooLarge
				}
				line, err = r.br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
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
		line = bytes.TrimRight(line, "\r\n")
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
