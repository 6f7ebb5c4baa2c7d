package bodyread

import (
	"io"
	"slices"
)

// firstRead is the most a body's read allocates before any of it has
// arrived: a claimed Content-Length sizes nothing larger, so a client that
// claims 20 MiB and sends a few bytes pins 64 KiB, not 20 MiB.
const firstRead = 64 << 10

// growth is how many times larger each buffer is than the one before: 4
// allocates 4/3 of a body in all, with at most 5/4 of it alive at once,
// where 2 allocated 2x and held 3/2 (the real binary's peak memory under
// 10 MB bodies was lower at 4), at the price of a client that breaks off
// pinning up to 4x what it sent rather than 2x.
const growth = 4

// readAll reads r to its end, as io.ReadAll does, into a buffer that grows
// toward size, the body's Content-Length (-1: none), so that a body of the
// length it claimed ends in a buffer of exactly that length. io.ReadAll
// cannot know the length: it reads into pieces that grow by half again and
// then joins them into one of the body's length, some 2.25x the body
// allocated in all, with both alive while it joins them. A body without a
// length (chunked) is still read so: that is already no more than one
// copy, never an append's regrowth.
//
// The buffers' sizes are size divided by growth, again and again, down to
// at most firstRead: the first is at most firstRead, each later one growth
// times the one before, the last exactly size. So what is allocated is
// under growth/(growth-1) times the body, and the buffer alive is at most
// growth times what has arrived (or firstRead): a client that claims more
// than it sends pins a few times what it sent, never what it claimed. A
// reader that gives more than size (net/http's does not: it holds a body
// to its Content-Length) is read on as append grows a slice.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, nextSize(0, size))
	for {
		if len(b) == cap(b) {
			switch {
			case int64(cap(b)) < size:
				nb := make([]byte, len(b), nextSize(cap(b), size))
				copy(nb, b)
				b = nb
			case int64(cap(b)) == size:
				// Full at its Content-Length: a read into it would be
				// empty, so whether the body ends is asked of one byte.
				more, err := readOneMore(r, &b)
				if !more {
					return b, err
				}
			default: // past its Content-Length
				b = slices.Grow(b, cap(b))
			}
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// nextSize is the size of the buffer after one of have bytes, on the way
// to size: the smallest of size, size/growth, size/growth², ... over have
// (rounded up), and at most firstRead where have is 0.
func nextSize(have int, size int64) int {
	n := size
	for {
		smaller := (n + growth - 1) / growth
		if smaller <= int64(have) || (have == 0 && n <= firstRead) {
			return int(n)
		}
		n = smaller
	}
}

// readOneMore reads on past a full buffer b, for a body longer than its
// Content-Length said, and reports whether there was more: then b holds
// its next byte (grown as append grows it). Otherwise the body ended
// there, with err (nil for io.EOF).
func readOneMore(r io.Reader, b *[]byte) (more bool, err error) {
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n > 0 {
			*b = append(*b, one[0])
			return true, nil // an error comes back again on the next read
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}
