package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A request_id longer than any id the gateway hands out is refused as a
// stored answer's id is, without echoing it: a megabyte id would
// otherwise come back whole in the 404 and in whatever logs it.
func TestFeedbackRefusesAnOverLongRequestIDWithoutEchoingIt(t *testing.T) {
	srv, _, _ := newTestServer(t, func(c *Config) { c.Feedback = feedbackStore{} })
	id := strings.Repeat("x", 1<<20)
	w := do(srv.Handler(), http.MethodPost, "/v1/feedback", `{"request_id":"`+id+`","score":1}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	assert.Less(t, w.Body.Len(), 1024, "the id is not echoed")
	e := errorOf(t, w.Body.Bytes())
	require.NotNil(t, e.Error.Code)
	assert.Equal(t, router.EInvalid, *e.Error.Code)
	require.NotNil(t, e.Error.Param)
	assert.Equal(t, "request_id", *e.Error.Param)
	assert.Contains(t, e.Error.Message, "256")
}

// An id at the limit is still looked up: unknown, it is the usual 404
// naming it.
func TestFeedbackLooksUpARequestIDAtTheLimit(t *testing.T) {
	srv, _, _ := newTestServer(t, func(c *Config) { c.Feedback = feedbackStore{} })
	id := strings.Repeat("x", 256)
	w := do(srv.Handler(), http.MethodPost, "/v1/feedback", `{"request_id":"`+id+`","score":1}`)
	require.Equal(t, http.StatusNotFound, w.Code, w.Body.String())
	assert.Contains(t, errorOf(t, w.Body.Bytes()).Error.Message, id)
}
