package manage_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// A PUT announcing a body over the 1 MiB limit with Expect: 100-continue
// (as curl sends any body over 1 MiB) is refused before the body is asked
// for: the client gets the 413 instead of 100 Continue, and the
// connection is closed rather than left waiting for a body it need not
// send.
func TestAPutAnnouncedOverTheLimitIsRefusedWithoutAskingForTheBody(t *testing.T) {
	conn := slowAPI(t, time.Minute)
	_, err := fmt.Fprintf(conn, "PUT /deployments/big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", adminKey, 2<<20)
	require.NoError(t, err)

	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "the API answers without the body")
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "no 100 Continue before the refusal: %s", raw)
	var e apiErr
	require.NoError(t, json.Unmarshal(raw, &e), string(raw))
	assert.Equal(t, manage.CodeBodyTooLarge, e.Error.Code)
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed")
}
