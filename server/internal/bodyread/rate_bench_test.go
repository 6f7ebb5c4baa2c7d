package bodyread

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// What the bound on rate adds to a body's read: a 1 MiB body read in
// 1,460-byte segments (one TCP segment's payload each, the most reads a
// real body takes) and kept nowhere, with no minimum and with the default
// one. The writer takes deadlines and does nothing with them, so what is
// measured is the reader's own work per read, not the runtime's timer or
// the body's buffer.
func BenchmarkReadUnderAMinimumRate(b *testing.B) {
	body := randomBody(1 << 20)
	for _, bc := range []struct {
		name    string
		minRate int64
	}{{"no-minimum", 0}, {"min-240", 240}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			w := deadlineWriter{httptest.NewRecorder()}
			l := Limit{Max: 20 << 20, Timeout: time.Minute, MinRate: bc.minRate}
			for b.Loop() {
				var n int64
				err := ReadWith(w, segments{bytes.NewReader(body)}, l, func(r io.Reader) (err error) {
					n, err = io.Copy(io.Discard, r)
					return err
				})
				if err != nil || n != int64(len(body)) {
					b.Fatal(err, n)
				}
			}
		})
	}
}

// segments reads at most one TCP segment's payload at a time.
type segments struct{ r io.Reader }

func (s segments) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 1460)]) }

// deadlineWriter is a response writer that takes read deadlines, as a
// connection's does, so that Read bounds the body's reads.
type deadlineWriter struct{ http.ResponseWriter }

func (deadlineWriter) SetReadDeadline(time.Time) error { return nil }
