package manage_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/internal/bodyread/bodyreadtest"
	"github.com/modelrouter/modelrouter/server/manage"
)

// A PUT body over the 1 MiB limit is answered 413 RequestBodyTooLarge and
// its connection closed, whether it comes chunked or with a
// Content-Length, and whether the client sends more of it slowly or goes
// silent, as on the gateway's routes. Before, it was a 400, and a chunked
// one was answered only after net/http had read up to 256 KiB more of it,
// with no deadline (http.MaxBytesReader cannot mark the connection to
// close through gin's response writer).
func TestAPutOverTheLimitIsAnswered413AndItsConnectionClosed(t *testing.T) {
	const limit = 1 << 20
	addr := serveAPI(t, time.Minute)
	head := fmt.Sprintf("PUT /deployments/big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n", adminKey)
	for _, s := range bodyreadtest.Sendings {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			resp, raw, closed := bodyreadtest.Send(t, addr, head, `{"properties":{"model":"`, limit, s)
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(raw))
			var e apiErr
			require.NoError(t, json.Unmarshal(raw, &e), string(raw))
			assert.Equal(t, manage.CodeBodyTooLarge, e.Error.Code)
			assert.True(t, closed, "the API closes the connection after the 413")
		})
	}
}
