package playground_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/playground"
)

func TestHandlerServesPageAndAssets(t *testing.T) {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	playground.Mount(e)
	tests := []struct {
		method, path string
		status       int
		contentType  string
		contains     string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", `<select id="deployment"`},
		{"GET", "/playground/", 200, "text/html; charset=utf-8", `<svg id="chart-distribution"`},
		{"GET", "/playground", 200, "text/html; charset=utf-8", `id="api-key"`},
		{"GET", "/playground/app.js", 200, "text/javascript; charset=utf-8", "model_selection_details"},
		{"GET", "/playground/style.css", 200, "text/css; charset=utf-8", ".chart"},
		{"HEAD", "/playground/app.js", 200, "text/javascript; charset=utf-8", ""},
		{"GET", "/playground/missing.js", 404, "", ""},
		{"GET", "/playground/../go.mod", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			assert.Equal(t, tt.status, rec.Code)
			if tt.contentType != "" {
				assert.Equal(t, tt.contentType, rec.Header().Get("Content-Type"))
				assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'self'")
			}
			if tt.contains != "" {
				assert.Contains(t, rec.Body.String(), tt.contains)
			}
		})
	}
}

func TestHandlerRefusesWritesAndForeignPaths(t *testing.T) {
	h := playground.Handler()
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/", http.StatusMethodNotAllowed},
		{"GET", "/v1/models", http.StatusNotFound},
		{"GET", "/playground/static/", http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		assert.Equal(t, tt.status, rec.Code, "%s %s", tt.method, tt.path)
	}
}

// The page must work offline: every script, style and image comes from the
// binary itself.
func TestPageLoadsNothingFromElsewhere(t *testing.T) {
	srv := httptest.NewServer(playground.Handler())
	defer srv.Close()
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?https?:`)
	for _, path := range []string{"/", "/playground/app.js", "/playground/style.css"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.NotRegexp(t, external, string(body), path)
	}
}
