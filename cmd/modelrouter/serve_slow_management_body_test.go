package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("PUT /deployments/cheap HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer admin\r\n" +
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"properties\":"))
	require.NoError(t, err)

	// Far beyond the 200 ms bound; a hang guard, not a measurement.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the management API answers a body that stopped arriving")
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
}
