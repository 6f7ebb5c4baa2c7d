// Package playground serves the router's web page: a chat view that shows
// which model answered and why every candidate won or lost, and a dashboard
// of the routing distribution and cost over time. The page is plain
// HTML/CSS/JavaScript embedded in the binary: no CDN, no build step, so it
// works offline and behind a firewall.
package playground

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var static embed.FS

// Prefix is where the assets live; "/" serves the page itself.
const Prefix = "/playground/"

// Handler serves the page at "/" and "/playground/" and its assets under
// /playground/. Other paths are 404s, so it can sit next to API routes.
func Handler() http.Handler {
	assets, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.FileServerFS(assets))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// The page sends keys in headers; keep it out of frames and make
		// the browser run only its own scripts.
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		switch {
		case r.URL.Path == "/" || r.URL.Path == Prefix || r.URL.Path == "/playground":
			h.Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, assets, "index.html")
		case strings.HasPrefix(r.URL.Path, Prefix) && !strings.HasSuffix(r.URL.Path, "/"):
			h.Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// Mount adds the page to a gin engine (the gateway's Config.Mount).
func Mount(e *gin.Engine) {
	h := gin.WrapH(Handler())
	for _, path := range []string{"/", "/playground", "/playground/*path"} {
		e.GET(path, h)
		e.HEAD(path, h)
	}
}
