package manage_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/manage"
)

// slowAPI serves the management API over TCP on 127.0.0.1 with a short
// BodyTimeout, and returns a connection to it.
func slowAPI(t *testing.T, bodyTimeout time.Duration) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", serveAPI(t, bodyTimeout))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // hang guard
	return conn
}

// serveAPI serves the management API over TCP on 127.0.0.1 with
// bodyTimeout, and returns its address.
func serveAPI(t *testing.T, bodyTimeout time.Duration) string {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	e := gin.New()
	manage.New(manage.Config{Store: newMemStore(), Catalog: cat, AdminKey: adminKey, BodyTimeout: bodyTimeout}).Register(e)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return strings.TrimPrefix(ts.URL, "http://")
}

func putHead(name string, length int) string {
	return fmt.Sprintf("PUT /deployments/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", name, adminKey, length)
}

// A PUT whose body stops arriving is answered 408 timeout in the API's
// error shape and its connection closed, rather than holding both for ever.
func TestAPutWhoseBodyStopsArrivingIsAnswered408(t *testing.T) {
	conn := slowAPI(t, 200*time.Millisecond)
	_, err := io.WriteString(conn, putHead("slow", 1000)+`{"properties":`)
	require.NoError(t, err)

	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "the API answers a body that stopped arriving")
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
	var e apiErr
	require.NoError(t, json.Unmarshal(raw, &e), string(raw))
	assert.Equal(t, "timeout", e.Error.Code)
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed")
}

// The bound is on silence between parts of the body, not on its whole
// time: a PUT that keeps arriving slowly is stored.
func TestAPutWhoseBodyKeepsArrivingSlowlyIsStored(t *testing.T) {
	conn := slowAPI(t, 300*time.Millisecond)
	body := routerBody("2025-11-18", `{"mode": "cost"}`)
	_, err := io.WriteString(conn, putHead("slow", len(body)))
	require.NoError(t, err)
	// 12 parts 100 ms apart: four times the bound in all, a third of it
	// at most between two parts.
	const parts = 12
	for i := range parts {
		time.Sleep(100 * time.Millisecond)
		_, err = io.WriteString(conn, body[i*len(body)/parts:(i+1)*len(body)/parts])
		require.NoError(t, err, "part %d", i+1)
	}

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode, string(raw))
}
