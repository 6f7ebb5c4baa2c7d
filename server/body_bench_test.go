package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// What reading a body within the limit costs, the path every call takes:
// a short chat call, a 1 MiB one, and the 1 MiB one gzip'd, read as
// feedback's is (readBody) and as an API call's, which may read a refused
// one on for its model (named).
func BenchmarkReadBodyWithinTheLimit(b *testing.B) {
	gin.SetMode(gin.TestMode)
	s := &Server{cfg: Config{MaxBodyBytes: DefaultMaxBodyBytes, BodyTimeout: time.Minute}}
	big := `{"model":"model-router","messages":[{"role":"user","content":"` + strings.Repeat("hi ", 1<<20/3) + `"}]}`
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(big))
	_ = zw.Close()
	for _, bc := range []struct {
		name, body, enc string
		named           bool
	}{
		{"chat-small", chatBody, "", false}, {"chat-1MiB", big, "", false}, {"chat-1MiB-gzip", zipped.String(), "gzip", false},
		{"named-small", chatBody, "", true}, {"named-1MiB", big, "", true}, {"named-1MiB-gzip", zipped.String(), "gzip", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				c, _ := gin.CreateTestContext(httptest.NewRecorder())
				c.Request = httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(bc.body))
				if bc.enc != "" {
					c.Request.Header.Set("Content-Encoding", bc.enc)
				}
				if _, _, err := s.readBodyFor(c, bc.named); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
