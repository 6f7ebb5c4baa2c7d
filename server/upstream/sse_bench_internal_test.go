package upstream

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// Every streamed token passes through sseReader: reading a stream of chat
// chunks, its lines ended in LF as most providers end them (and CRLF, as
// some servers do), stays as fast as splitting on LF alone was.
func BenchmarkSSEReader(b *testing.B) {
	chunk := `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x",` +
		`"choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}`
	for _, eol := range []string{"\n", "\r\n"} {
		stream := []byte(strings.Repeat(chunk+eol+eol, 1000))
		name := map[string]string{"\n": "LF", "\r\n": "CRLF"}[eol]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(stream)))
			for b.Loop() {
				r := newSSEReader(bytes.NewReader(stream))
				n := 0
				for {
					_, err := r.next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 1000 {
					b.Fatalf("read %d events of 1000", n)
				}
			}
		})
	}
}
