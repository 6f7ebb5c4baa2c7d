package upstream

import (
	"io"
	"net"
	"slices"
)

// requestBody is the body of a provider request as the slices it is made
// of. A client's body rewritten for the provider is mostly the client's
// own member values, which the call keeps anyway: sent as slices of it,
// with only the keys, the punctuation and the small members written anew,
// a 2.7 MB conversation costs no second 2.7 MB per attempt. Its bytes are
// encode's (TestRequestBodyIsTheEncoding).
type requestBody struct {
	parts [][]byte
	size  int64
}

// sharedValueSize is the size from which a member's value is sent as the
// slice it is: the smaller ones are copied with the keys, so a body is a
// handful of slices (its messages, tools, input), not one per member.
const sharedValueSize = 4 << 10

// wholeBody is a body already in one piece (a translation's).
func wholeBody(b []byte) requestBody {
	return requestBody{parts: [][]byte{b}, size: int64(len(b))}
}

// encodeBody is encode with the large values left where they are.
func (o *object) encodeBody() requestBody {
	w := o.write(sharedValueSize)
	return w.body()
}

// write writes the members in key order, values of shareFrom bytes or
// more left where they are (bodyWriter).
func (o *object) write(shareFrom int) bodyWriter {
	o.sortMembers()
	size := 2
	for _, m := range o.members {
		size += len(m.key) + 4
		if len(m.value) < shareFrom {
			size += len(m.value)
		}
		if m.late != nil {
			size += m.late.JSONSize()
		}
		for _, p := range m.parts {
			if len(p) < shareFrom {
				size += len(p)
			}
		}
	}
	w := bodyWriter{written: make([]byte, 0, size)}
	w.written = append(w.written, '{')
	for _, m := range o.members {
		comma := len(w.written) > 1
		if m.parts != nil {
			w.written = m.appendKey(w.written, comma)
			for _, p := range m.parts {
				w.value(p, shareFrom)
			}
			continue
		}
		var isShared bool
		w.written, isShared = m.appendTo(w.written, comma, shareFrom)
		if isShared {
			w.shared = append(w.shared, sharedValue{len(w.written), m.value})
		}
	}
	w.written = append(w.written, '}')
	return w
}

// bodyWriter writes a body whose large values stay where they are: the
// new bytes go to written, and a shared value after written[:at].
type bodyWriter struct {
	written []byte
	shared  []sharedValue
}

type sharedValue struct {
	at    int
	value []byte
}

// value writes v, a slice the body may keep: shared from shareFrom
// bytes, else copied.
func (w *bodyWriter) value(v []byte, shareFrom int) {
	if len(v) < shareFrom {
		w.written = append(w.written, v...)
		return
	}
	w.shared = append(w.shared, sharedValue{len(w.written), v})
}

// body is what w wrote, in its slices.
func (w *bodyWriter) body() requestBody {
	body := requestBody{parts: make([][]byte, 0, 2*len(w.shared)+1), size: int64(len(w.written))}
	from := 0
	for _, s := range w.shared {
		body.parts = append(body.parts, w.written[from:s.at], s.value)
		body.size += int64(len(s.value))
		from = s.at
	}
	body.parts = append(body.parts, w.written[from:])
	return body
}

// reader reads the body from its start: each attempt, and each resend the
// transport makes (GetBody), gets its own.
func (b requestBody) reader() io.ReadCloser {
	parts := net.Buffers(slices.Clone(b.parts)) // reading consumes the list
	return io.NopCloser(&parts)
}
