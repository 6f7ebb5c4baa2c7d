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
	o.sortMembers()
	size := 2
	for _, m := range o.members {
		size += len(m.key) + 4
		if len(m.value) < sharedValueSize {
			size += len(m.value)
		}
		if m.late != nil {
			size += m.late.JSONSize()
		}
	}
	// written holds the new bytes; a shared value goes after written[:at].
	type sharedValue struct {
		at    int
		value []byte
	}
	var shared []sharedValue
	written := make([]byte, 0, size)
	written = append(written, '{')
	for _, m := range o.members {
		var isShared bool
		written, isShared = m.appendTo(written, len(written) > 1, sharedValueSize)
		if isShared {
			shared = append(shared, sharedValue{len(written), m.value})
		}
	}
	written = append(written, '}')

	body := requestBody{parts: make([][]byte, 0, 2*len(shared)+1), size: int64(len(written))}
	from := 0
	for _, s := range shared {
		body.parts = append(body.parts, written[from:s.at], s.value)
		body.size += int64(len(s.value))
		from = s.at
	}
	body.parts = append(body.parts, written[from:])
	return body
}

// reader reads the body from its start: each attempt, and each resend the
// transport makes (GetBody), gets its own.
func (b requestBody) reader() io.ReadCloser {
	parts := net.Buffers(slices.Clone(b.parts)) // reading consumes the list
	return io.NopCloser(&parts)
}
