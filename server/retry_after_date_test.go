package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A provider's Retry-After given as an HTTP date far in the future (a
// spent quota "until further notice") must still give the client a usable
// Retry-After: a non-negative number of seconds, no more than the gateway
// takes from a Retry-After given in seconds (24 h). Uncapped, a date past
// what a time.Duration holds would overflow in the rounding and tell the
// client to retry after a negative number of seconds.
func TestFarFutureRetryAfterDateGivesTheClientAUsableWait(t *testing.T) {
	b := &upstream.Backoff{}
	e := newE2E(t, withBackoff(b))
	e.openai.Set("large", upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests,
		FailHeader: http.Header{"Retry-After": {"Fri, 31 Dec 9999 23:59:59 GMT"}}})

	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["large"]}}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)

	secs, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64)
	require.NoError(t, err, "Retry-After %q", resp.Header.Get("Retry-After"))
	ms, err := strconv.ParseInt(resp.Header.Get("Retry-After-Ms"), 10, 64)
	require.NoError(t, err, "retry-after-ms %q", resp.Header.Get("Retry-After-Ms"))
	assert.Positive(t, secs, "Retry-After")
	assert.Positive(t, ms, "retry-after-ms")
	assert.LessOrEqual(t, secs, int64(24*60*60), "Retry-After: the same cap as a wait given in seconds")
}
