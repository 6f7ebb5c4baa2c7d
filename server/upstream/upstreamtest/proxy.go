package upstreamtest

import (
	"bytes"
	"io"
	"net/http"
)

// BodiesFromMemory wraps a pass-through proxy (an httputil.ReverseProxy a
// test puts in front of a fake) so that it sends each request body from
// memory, read whole first. A ReverseProxy handed its server's own request
// body races that server (golang/go#40747): once the provider's response
// headers are copied out, the HTTP/1 server drains and closes the request
// body, while the transport, having sent the body, may still be reading it
// once more to check it ends at its Content-Length. That read then fails
// ("invalid Read on closed Body"), the transport closes its connection to
// the provider mid-answer, and the caller sees the answer break off. A
// body in memory is sent whole without that read.
func BodiesFromMemory(proxy http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	})
}
