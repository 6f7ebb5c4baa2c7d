package main

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A management call whose body stops arriving holds a connection and a
// handler like an API call's does: --body-timeout ends it too.
func TestServeEndsAManagementCallWhoseBodyStopsArriving(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.adminKey = secret("admin")
		o.bodyTimeout = 200 * time.Millisecond
	})
	resp, raw, _ := sendStalledBody(t, base, "PUT /deployments/cheap HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer admin\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"properties\":")
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
}
