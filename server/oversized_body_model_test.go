package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A body over --max-body-bytes on the /v1 paths, sent without a
// Content-Length (so it is read up to the limit) or gzip'd past the limit,
// is refused 413 in its API's shape and logged under the model it names
// when that model lies within the bytes read; one whose model comes past
// the limit, or that is no JSON at all, stays under no deployment. The
// gateway reads no more of any of them than the limit.
func TestABodyOverTheLimitIsLoggedUnderTheModelItNamesFirst(t *testing.T) {
	const limit = 4096
	filler := strings.Repeat("hi ", 2*limit)
	calls := []struct {
		name, path, body string
		gzip             bool
		deployment       string
	}{
		{"chat, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, false, DefaultDeploymentName},
		{"responses, model first", "/v1/responses",
			`{"model":"model-router","input":"` + filler + `"}`, false, DefaultDeploymentName},
		{"messages, model after a short member", "/v1/messages",
			`{"max_tokens":5,"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, false, DefaultDeploymentName},
		{"chat gzip'd past the limit, model first", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"` + filler + `"}]}`, true, DefaultDeploymentName},
		{"chat, model past the limit", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"` + filler + `"}],"model":"model-router"}`, false, ""},
		{"messages, no JSON", "/v1/messages",
			strings.Repeat("\x00{\"model\":\"model-router\",", limit), false, ""},
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
		assert.LessOrEqual(t, cr.n, int64(limit+1), "%s: read no further than the limit", call.name)
	}
	assert.Nil(t, fwd.lastCall.Load(), "nothing was forwarded")

	recs := log.waitFor(t, len(calls))
	counts := map[string]int{}
	for i, rec := range recs {
		assert.Equal(t, calls[i].deployment, rec.Decision.Deployment, "%s: the row's deployment", calls[i].name)
		assert.Equal(t, calls[i].deployment != "", rec.DeploymentFound, calls[i].name)
		if calls[i].deployment == "" {
			counts["unknown"]++
		} else {
			counts[calls[i].deployment]++
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
