package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
)

// A call whose body keeps arriving, but below MinBodyRate, is answered 408
// in the API's error shape once the grace period has passed (a silence
// never reaches BodyTimeout), saying the rate; its connection is closed
// and the call logged as 408 timeout. Without a minimum the same body is
// answered.
func TestABodyTricklingBelowTheMinimumRateIsAnswered408(t *testing.T) {
	for _, minRate := range []int64{1000, 0} {
		e := newE2E(t, func(c *Config) {
			c.BodyTimeout = 10 * time.Second
			c.MinBodyRate = minRate
			c.MinBodyRateGrace = 100 * time.Millisecond
		})
		x := sendHead(t, e, "/v1/chat/completions", e2eKey, fmt.Sprintf("Content-Length: %d\r\n", len(chatBody)))
		// 5 bytes every 150 ms: about 33 bytes a second, the whole body in
		// 3 s, so a handler that a loaded machine keeps from the body for
		// up to nearly that long still finds the rest too slow to come (over
		// 1 s, a handler 0.9 s late would find it nearly whole and answer
		// 200).
		go func() {
			for i := 0; i < len(chatBody); i += 5 {
				time.Sleep(150 * time.Millisecond)
				if _, err := io.WriteString(x.conn, chatBody[i:min(i+5, len(chatBody))]); err != nil {
					return
				}
			}
		}()

		resp, raw := x.next(t)
		if minRate == 0 {
			assert.Equal(t, http.StatusOK, resp.StatusCode, "no minimum: %s", raw)
			continue
		}
		assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(raw))
		body := errorShapeOf(t, raw)
		assert.Equal(t, router.ETimeout, body.Error.Code)
		assert.Contains(t, body.Error.Message, "under the minimum of 1000 bytes a second")
		// An end, or a reset where the trickle's later bytes were unread;
		// not the hang guard's timeout, which an open connection meets.
		_, err := x.br.ReadByte()
		assert.True(t, err == io.EOF || errors.Is(err, syscall.ECONNRESET), "the connection is closed: %v", err)

		rec := e.log.waitFor(t, 1)[0]
		assert.Equal(t, http.StatusRequestTimeout, rec.Status)
		assert.Equal(t, router.ETimeout, rec.ErrorCode)
	}
}
