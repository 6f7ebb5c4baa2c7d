package upstream_test

// llama.cpp's llama-server answers a Chat call's n other than 1 with HTTP
// 500 "Only one completion choice is allowed": the client's n, not an
// outage. Another model may take the n, so the call fails over, and the
// model, which answers every call with n=1, stays healthy.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// llama-server's error body, as its handler writes the runtime error it
// throws while reading the request (tools/server).
const oneChoiceRefusal = `{"error":{"code":500,"message":"Only one completion choice is allowed","type":"server_error"}}`

func TestAServersRefusalOfSeveralChoicesFailsOverWithoutCountingAgainstItsHealth(t *testing.T) {
	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json", oneChoiceRefusal))
		m.fwd.Health = &upstream.Health{}
		for range 5 {
			out, rec := severalChoices(t, m, stream, m.bad, m.good)
			require.Equal(t, m.good.ID, out.Answered.ID, "stream %v: the client got %d: %s", stream, out.Status, rec.Body.String())
			require.Len(t, out.Attempts, 2)
			assert.Equal(t, "HTTP 500: Only one completion choice is allowed (this server answers only one choice a call, n=1)",
				out.Attempts[0].Error, "the decision log says why")
		}
		assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "stream %v: it still answers n=1", stream)
	}
}

// The last model's refusal is the gateway's 400 unsupported_value on param
// n, for the caller to write in the client API's shape, rather than a 502
// that blames the provider and that SDKs retry to the same refusal.
func TestTheLastModelsRefusalOfSeveralChoicesIsA400OnN(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json", oneChoiceRefusal))
	out, rec := severalChoices(t, m, false, m.bad)
	re := m.refusedAsTheGateway(t, out, rec, router.ReasonUnsupportedValue)
	assert.Equal(t, "n", re.Param)
	assert.Equal(t, "the server of broken-id answers only one choice a call (n=1): Only one completion choice is allowed", re.Message)
}

// After a model that failed in a way a retry may clear, which may take the
// n the next time, the call is the usual 502 a client retries.
func TestTheLastModelsRefusalOfSeveralChoicesAfterAnOutageIsTheUsual502(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json", oneChoiceRefusal))
	down := m.good
	down.Provider = "down"
	m.fwd.ByName["down"] = upstream.Provider{Name: "down", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1", APIKey: "sk-down"}
	out, rec := severalChoices(t, m, false, down, m.bad)
	assert.Equal(t, http.StatusBadGateway, out.Status, "%s", rec.Body.String())
	assert.False(t, out.Refused)
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.Equal(t, router.EUpstream, re.Code)
	assert.Contains(t, re.Message, "only one choice", "the refusal is listed with the others")
}

// Any other 500 is still an outage: it counts against the model's health.
func TestAnotherServerErrorStillCountsAgainstHealth(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json",
		`{"error":{"code":500,"message":"failed to decode the batch","type":"server_error"}}`))
	m.fwd.Health = &upstream.Health{}
	for range 5 {
		out, _ := m.call(t, upstream.APIChatCompletions, false)
		require.Equal(t, m.good.ID, out.Answered.ID)
		assert.Equal(t, "HTTP 500", out.Attempts[0].Error)
	}
	assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad))
}

// A call that asks for one choice (no n, n 1 or null, as llama-server
// reads it) cannot be what a server refused with those words: its 500 is
// an outage, counted against the model's health, and from the last model
// the usual 502, not a 400 blaming an n the client did not send.
func TestAOneChoiceRefusalOfACallThatAskedForOneIsAnOutage(t *testing.T) {
	for _, n := range []string{``, `"n":1,`, `"n":null,`} {
		m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json", oneChoiceRefusal))
		m.fwd.Health = &upstream.Health{}
		body := []byte(`{"model":"r",` + n + `"messages":[{"role":"user","content":"hi"}]}`)
		for range 5 {
			out, _ := m.forward(t, upstream.Call{API: upstream.APIChatCompletions, Raw: body, Order: []router.Model{m.bad, m.good}})
			require.Equal(t, m.good.ID, out.Answered.ID, "%s", n)
			assert.Equal(t, "HTTP 500", out.Attempts[0].Error, "%s", n)
		}
		assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad), "%s", n)

		out, _ := m.forward(t, upstream.Call{API: upstream.APIChatCompletions, Raw: body, Order: []router.Model{m.bad}})
		assert.Equal(t, http.StatusBadGateway, out.Status, "%s", n)
	}
}

// severalChoices forwards a Chat Completions call asking for n=2 through
// order.
func severalChoices(t *testing.T, m *misbehaving, stream bool, order ...router.Model) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	body := []byte(`{"model":"r","n":2,"stream":` + strconv.FormatBool(stream) + `,"messages":[{"role":"user","content":"hi"}]}`)
	return m.forward(t, upstream.Call{API: upstream.APIChatCompletions, Raw: body, Stream: stream, Order: order})
}
