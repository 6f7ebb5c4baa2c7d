package bodyread

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// What reading a body whole allocates, at a short call's size (100 KB), an
// agent's long conversation (2.7 MB) and a call with images (10 MB), sent
// with its Content-Length and without one (chunked). The body arrives in
// 64 KiB reads, as large reads of a socket return.
func BenchmarkReadBody(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"100KB", 100_000}, {"2.7MB", 2_700_000}, {"10MB", 10_000_000}} {
		body := randomBody(size.n)
		for _, sent := range []string{"length", "chunked"} {
			b.Run(size.name+"/"+sent, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				w := deadlineWriter{httptest.NewRecorder()}
				l := Limit{Max: 20 << 20, Timeout: time.Minute}
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/", nil)
					req.Body = io.NopCloser(pieces{bytes.NewReader(body), 64 << 10})
					req.ContentLength = int64(len(body))
					if sent == "chunked" {
						req.ContentLength = -1
					}
					raw, err := Read(w, req, l)
					if err != nil || len(raw) != len(body) {
						b.Fatal(err, len(raw))
					}
				}
			})
		}
	}
}

// pieces reads at most n bytes at a time.
type pieces struct {
	r io.Reader
	n int
}

func (p pieces) Read(b []byte) (int, error) { return p.r.Read(b[:min(len(b), p.n)]) }
