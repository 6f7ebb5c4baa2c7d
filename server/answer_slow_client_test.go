package server

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client that never reads a JSON answer but keeps its connection does
// not hold the request either: the answer is larger than the socket
// buffers take, and without a bound the write would wait for as long as the
// client keeps its connection, holding the handler, the deployment's
// capacity and the decision-log row. The call's deadline cuts the writes,
// as it does a stream's, and the row is written, as a 502 with the model
// that answered.
func TestAJSONAnswerToAClientThatStopsReadingIsLoggedAtTheDeadline(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%t", stream), func(t *testing.T) {
			fake := upstreamtest.NewOpenAI(t)
			// A streaming call gets the answer as events (a server that
			// ignores `stream`).
			fake.Set("mini", upstreamtest.Behavior{Reply: strings.Repeat("x", 1<<20), NoStreaming: true})
			ps := upstream.Providers{ByName: map[string]upstream.Provider{
				"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream-openai"},
			}}
			rows := make(recordChan, 1)
			gw := httptest.NewUnstartedServer(New(Config{
				Router:    newTestRouter(t, ps.Available),
				Forwarder: &upstream.Forwarder{Providers: ps, Deadline: 2 * time.Second},
				Supports:  ps.Supports,
				Available: ps.Available,
				Log:       rows,
			}).Handler())
			// Small socket buffers on both ends: a megabyte is more than
			// they hold.
			gw.Config.ConnState = func(c net.Conn, s http.ConnState) {
				if s == http.StateNew {
					_ = c.(*net.TCPConn).SetWriteBuffer(32 << 10)
				}
			}
			gw.Start()
			t.Cleanup(gw.Close)
			u, err := url.Parse(gw.URL)
			require.NoError(t, err)
			conn, err := net.Dial("tcp", u.Host)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(16<<10))
			body := fmt.Sprintf(`{"model":"model-router","stream":%t,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`, stream)
			_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				u.Host, len(body), body)
			require.NoError(t, err)
			// The client reads nothing and keeps its connection.
			var rec router.Record
			select {
			case rec = <-rows:
			case <-time.After(time.Minute): // hang guard
				t.Fatal("no decision-log row while the client holds its connection: the write to it is not bounded")
			}
			assert.Equal(t, http.StatusBadGateway, rec.Status)
			assert.Equal(t, "mini", rec.Answered, "%+v", rec.Attempts)
		})
	}
}

// recordChan is a decision log that hands each row to the test.
type recordChan chan router.Record

func (c recordChan) Record(r router.Record) { c <- r }
