package bodyread

import (
	"io"
	"sync"
)

// ReadAll is [io.ReadAll] for a request body, which may be MiBs: it costs
// one allocation of the body's exact size rather than about two of it.
// io.ReadAll reads into buffers it allocates as it goes and copies them
// into one of the exact size at the end; ReadAll reads into buffers it
// takes from a pool and puts back once they are copied out, so that only
// the copy is new memory.
//
// Nothing is sized by what the body claims (its Content-Length, a gzip
// footer's length): each next buffer is about as large as what has
// arrived so far, so a client that claims a large body and sends little or
// nothing holds about twice what it sent, never what it claimed. The copy
// is made once the body has ended, at its size.
//
// Like io.ReadAll, it returns what it read before an error with the
// error, and an empty body as an empty, non-nil slice.
func ReadAll(r io.Reader) ([]byte, error) {
	var room [32]*[]byte // 20 MiB (--max-body's default) takes 12 + 19
	held := room[:0]
	defer func() {
		for i, p := range held {
			chunkPools[chunkClass(i)].Put(p)
		}
	}()
	var cur []byte // the buffer being filled, the last of held
	total := 0
	for {
		if len(cur) == cap(cur) {
			p := chunk(len(held))
			held = append(held, p)
			cur = (*p)[:0]
		}
		n, err := r.Read(cur[len(cur):cap(cur)])
		cur = cur[:len(cur)+n]
		total += n
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			out := make([]byte, 0, total)
			for _, p := range held[:len(held)-1] {
				out = append(out, *p...) // every buffer but the last is full
			}
			return append(out, cur...), err
		}
	}
}

// chunkPools hold ReadAll's buffers: the i-th a body's i-th, of
// firstChunk<<i bytes, the size of all before it and firstChunk more; the
// last pool's size for every one after, so that what a body holds beyond
// what it sent never passes that size (1 MiB).
var chunkPools [12]sync.Pool

// firstChunk is io.ReadAll's first buffer: a short call's whole body.
const firstChunk = 512

// chunkClass is the pool of a body's i-th buffer.
func chunkClass(i int) int { return min(i, len(chunkPools)-1) }

// chunk takes a body's i-th buffer from its pool, or makes it.
func chunk(i int) *[]byte {
	c := chunkClass(i)
	if p, ok := chunkPools[c].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, firstChunk<<c)
	return &b
}
