package server

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A body over --max-body on the /v1 paths, sent without a Content-Length
// (so it is read up to the limit) or with one over the limit (read by a
// client that does not wait for 100 Continue), gzip'd past the limit or
// not, is refused 413 in its API's shape and logged under the model it
// names, the last "model" member as for any body, when that lies within
// twice the limit; one whose model comes later, that is no JSON at all or
// that ends inside its object stays under no deployment. The gateway reads
// no more of any of them than twice the limit.
func TestABodyOverTheLimitIsLoggedUnderTheModelItNames(t *testing.T) {
	const limit = 4096
	filler := strings.Repeat("hi ", 2*limit) // the body is past twice the limit
	within := strings.Repeat("hi ", limit/2) // the body is within twice the limit
	// noise compresses little: a gzip body of it is over the limit as sent.
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 3*limit)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	calls := []struct {
		name, path, body string
		gzip, sized      bool // gzip'd; sent with its Content-Length
		deployment       string
		found            bool
	}{
		{"chat, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, false, false, DefaultDeploymentName, true},
		{"responses, model first", "/v1/responses",
			`{"model":"model-router","input":"` + filler + `"}`, false, false, DefaultDeploymentName, true},
		{"messages, model after a short member", "/v1/messages",
			`{"max_tokens":5,"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, false, false, DefaultDeploymentName, true},
		{"chat gzip'd past the limit, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, true, false, DefaultDeploymentName, true},
		{"chat gzip'd, over the limit as sent, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + base64.StdEncoding.EncodeToString(noise) + `"}]}`, true, false, DefaultDeploymentName, true},
		{"chat with a Content-Length over the limit, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, false, true, DefaultDeploymentName, true},
		{"chat with a Content-Length over the limit, model after the messages", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"` + within + `"}],"model":"model-router"}`, false, true, DefaultDeploymentName, true},
		{"chat, model after the messages, within twice the limit", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"` + within + `"}],"model":"model-router"}`, false, false, DefaultDeploymentName, true},
		{"messages, model twice, the last past the limit", "/v1/messages",
			`{"model":"no-such-deployment","max_tokens":5,"messages":[{"role":"user","content":"` + within + `"}],"model":"model-router"}`, false, false, DefaultDeploymentName, true},
		{"chat, model past twice the limit", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"` + filler + `"}],"model":"model-router"}`, false, false, "", false},
		{"chat, model first, the body ending inside its object", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + within, false, false, "", false},
		{"messages, no JSON", "/v1/messages",
			strings.Repeat("\x00{\"model\":\"model-router\",", limit), false, false, "", false},
	}
	met := metrics.New()
	s, log, fwd := newTestServer(t, func(c *Config) {
		c.Observer = met
		c.MaxBodyBytes = limit
	})
	for _, call := range calls {
		body := call.body
		req := httptest.NewRequest(http.MethodPost, call.path, nil)
		require.Greater(t, len(body), limit, call.name)
		if call.gzip {
			body = gzipped(t, body)
			req.Header.Set("Content-Encoding", "gzip")
		}
		cr := &countingReader{r: strings.NewReader(body)}
		req.Body = io.NopCloser(cr)
		req.ContentLength = -1 // as a chunked body comes: its size is learnt by reading it
		if call.sized {
			req.ContentLength = int64(len(body))
		}
		req.Host = loopbackHost
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)

		require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, "%s: %s", call.name, w.Body.String())
		if strings.Contains(call.path, "/messages") {
			anthropicErrorOf(t, w.Body.Bytes())
		} else {
			errorOf(t, w.Body.Bytes())
		}
		assert.Contains(t, w.Body.String(), "larger than the limit of 4096 bytes", call.name)
		assert.LessOrEqual(t, cr.n, int64(2*limit), "%s: read no further than twice the limit", call.name)
	}
	assert.Nil(t, fwd.lastCall.Load(), "nothing was forwarded")

	recs := log.waitFor(t, len(calls))
	counts := map[string]int{}
	for i, rec := range recs {
		assert.Equal(t, calls[i].deployment, rec.Decision.Deployment, "%s: the row's deployment", calls[i].name)
		assert.Equal(t, calls[i].found, rec.DeploymentFound, calls[i].name)
		if calls[i].found {
			counts[calls[i].deployment]++
		} else {
			counts["unknown"]++
		}
	}

	mw := httptest.NewRecorder()
	met.Handler().ServeHTTP(mw, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	got := map[string]int{}
	for _, l := range strings.Split(mw.Body.String(), "\n") {
		if !strings.HasPrefix(l, "modelrouter_requests_total{") {
			continue
		}
		for dep := range counts {
			if strings.Contains(l, `deployment="`+dep+`"`) {
				n, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
				require.NoError(t, err, l)
				got[dep] += int(n)
			}
		}
	}
	assert.Equal(t, counts, got, "/metrics' modelrouter_requests_total by deployment")
}

// A client that announces a body over the limit without waiting for 100
// Continue sends it anyway: the gateway reads it for its model, answers
// 413 and closes the connection rather than read on past twice the limit.
func TestABodySentWithALengthOverTheLimitIsLoggedUnderItsModel(t *testing.T) {
	const limit = 1 << 16
	e := newE2E(t, func(c *Config) { c.MaxBodyBytes = limit })
	body := `{"model":"model-router","messages":[{"role":"user","content":"` + strings.Repeat("hi ", limit) + `"}]}`
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second))) // hang guard
	_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", e2eKey, len(body), body)
	require.NoError(t, err)
	x := &expectClient{conn: conn, br: bufio.NewReader(conn)}
	resp, raw := x.next(t)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(raw))
	assert.Equal(t, router.ETooLarge, errorShapeOf(t, raw).Error.Code)
	// Closed with the body's rest unread: a reset, or an end.
	_, err = x.br.ReadByte()
	assert.True(t, err == io.EOF || errors.Is(err, syscall.ECONNRESET), "the gateway closes the connection: %v", err)
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, DefaultDeploymentName, rec.Decision.Deployment, "the row's deployment")
	assert.Empty(t, e.openai.Requests(), "nothing went upstream")
}

// At a --max-body past half the largest size, the read on for the model
// still reaches it: twice the limit is the largest size, not a negative one.
func TestABodyOverAHugeLimitIsLoggedUnderItsModel(t *testing.T) {
	s, log, _ := newTestServer(t, func(c *Config) { c.MaxBodyBytes = math.MaxInt64/2 + 1 })
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(chatBody))
	req.ContentLength = math.MaxInt64 // announced, not sent
	req.Host = loopbackHost
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
	assert.Equal(t, DefaultDeploymentName, log.waitFor(t, 1)[0].Decision.Deployment)
}
