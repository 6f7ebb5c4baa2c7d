package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// Past the first second of a shutdown, a call that comes on a connection
// kept alive (the one a stream begun before the signal ended on) is
// turned away with the 503 server_shutting_down of its API, logged, and
// never reaches a model: begun, a long answer would only be cut when the
// grace runs out, after its client waited for it. (With serve under load
// and --grace 10s, 5 streams begun so mid-grace were cut at its end.)
func TestCallsComingOnceTheGatewayRefusesAreAnswered503WithoutReachingAModel(t *testing.T) {
	refuse, stop := context.WithCancel(context.Background())
	e := newE2E(t, func(c *Config) { c.Refuse = refuse })
	stop()
	calls := []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"model-router","stream":true,"messages":[{"role":"user","content":"hi"}]}`},
		{"/v1/responses", `{"model":"model-router","stream":true,"input":"hi"}`},
		{"/v1/messages", `{"model":"model-router","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`},
	}
	for _, call := range calls {
		req, err := http.NewRequest(http.MethodPost, e.url+call.path, strings.NewReader(call.body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s: %s", call.path, body)
		var answer struct {
			Type  string `json:"type"`
			Error struct {
				Code    string `json:"code"`
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(body, &answer), "%s: %s", call.path, body)
		assert.Equal(t, "server_shutting_down", answer.Error.Code, "%s: %s", call.path, body)
		assert.NotEmpty(t, answer.Error.Message, call.path)
		if call.path == "/v1/messages" {
			assert.Equal(t, "error", answer.Type, "Anthropic's error shape: %s", body)
		}
	}
	assert.Empty(t, e.openai.Requests(), "a refused call reached a model")
	assert.Empty(t, e.anthropic.Requests(), "a refused call reached a model")
	recs := e.log.all()
	require.Len(t, recs, len(calls), "each refused call has its row")
	for _, r := range recs {
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	}
}

// A read by id is no call: it begins no model's answer, so the refusal
// that turns calls away past a shutdown's first second leaves it alone,
// and a read is answered alike whichever way its client asks for it: a
// plain GET (curl's, a poll of a background response) as before the
// shutdown, the stream asked for in the query or in a body (as OpenAI's Go
// SDK sends it) the same way. (The refusal sat in the body read, which a
// read without ?stream=true goes through even with no body: a plain GET
// got a 503 its streamed form did not.)
func TestReadsByIdAreNotRefusedPastTheShutdownsFirstSecond(t *testing.T) {
	refuse, stop := context.WithCancel(context.Background())
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Refuse, c.Responses = refuse, kept })
	client := e.clients()["v1"]
	got, err := client.Responses.New(context.Background(), ask("hi"), onModel("claude"))
	require.NoError(t, err)
	stop()
	read := func(query, body string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, e.url+"/v1/responses/"+got.ID+query, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := read("", "")
	assert.Equal(t, http.StatusOK, status, "a plain read: %s", body)
	assert.Contains(t, body, got.ID, "a plain read")
	inQuery, queryBody := read("?stream=true", "")
	inBody, bodyBody := read("", `{"stream":true}`)
	assert.NotEqual(t, http.StatusServiceUnavailable, inQuery, "stream in the query: %s", queryBody)
	assert.Equal(t, inQuery, inBody, "the stream asked for in the body is answered as in the query: %s / %s", queryBody, bodyBody)
}

// Past a shutdown's first second, the model list, the management API's
// reads and /metrics read no call's body and begin no model's answer: they
// are answered as before the shutdown, so a client choosing its next
// model, an admin checking a deployment and the scraper watching the
// gateway drain are not turned away.
func TestTheModelListManagementAndMetricsAreAnsweredPastTheShutdownsFirstSecond(t *testing.T) {
	const adminKey = "sk-admin-e2e"
	refuse, stop := context.WithCancel(context.Background())
	st := deploymentStore(t, nil)
	mgmt := manage.New(manage.Config{Store: st, Catalog: testCatalog(), AdminKey: adminKey})
	met := metrics.New()
	e := newE2E(t, func(c *Config) {
		c.Refuse, c.Observer = refuse, met
		c.Deployments = manage.NewSource(st, testCatalog())
		c.Mount = func(g *gin.Engine) {
			mgmt.Register(g)
			g.GET(metrics.Path, gin.WrapH(met.Handler()))
		}
	})
	status, _, body := requestAs(t, e, http.MethodPut, "/deployments/kept", adminKey,
		`{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}}}`, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _, body = requestAs(t, e, http.MethodPost, "/v1/chat/completions", e2eKey,
		`{"model":"kept","messages":[{"role":"user","content":"hi"}]}`, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	e.log.waitFor(t, 1)
	stop()

	reads := []struct{ path, key, says string }{
		{"/v1/models", e2eKey, `"kept"`},
		{"/anthropic/v1/models", e2eKey, `"kept"`},
		{"/deployments/kept", adminKey, `"name":"kept"`},
		{"/deployments", adminKey, `"kept"`},
		{metrics.Path, "", `deployment="kept"`},
	}
	for _, r := range reads {
		status, _, body := requestAs(t, e, http.MethodGet, r.path, r.key, "", nil)
		assert.Equal(t, http.StatusOK, status, "%s: %s", r.path, body)
		assert.Contains(t, string(body), r.says, r.path)
	}
}

// The other requests whose body is read as a call's, the dry runs,
// feedback and count_tokens, are refused past a shutdown's first second as
// a call is, 503 server_shutting_down in their API's own error shape, where
// the same request was answered before it: their client retries at
// another gateway.
func TestDryRunsFeedbackAndTokenCountsAreRefusedPastTheShutdownsFirstSecond(t *testing.T) {
	refuse, stop := context.WithCancel(context.Background())
	e := newE2E(t, func(c *Config) { c.Refuse, c.Feedback = refuse, feedbackStore{"r1": -1} })
	chat := `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`
	requests := []struct{ path, body string }{
		{"/v1/route", chat},
		{"/v1/route/responses", `{"model":"model-router","input":"hi"}`},
		{"/v1/route/messages", `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`},
		{"/openai/deployments/model-router/route", chat},
		{"/v1/feedback", `{"request_id":"r1","score":1}`},
		{"/v1/messages/count_tokens", chat},
	}
	for _, r := range requests {
		status, _, body := requestAs(t, e, http.MethodPost, r.path, e2eKey, r.body, nil)
		require.Equal(t, http.StatusOK, status, "before the shutdown, %s: %s", r.path, body)
	}
	stop()
	for _, r := range requests {
		status, _, body := requestAs(t, e, http.MethodPost, r.path, e2eKey, r.body, nil)
		assert.Equal(t, http.StatusServiceUnavailable, status, "%s: %s", r.path, body)
		var answer struct {
			Type  string `json:"type"`
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(body, &answer), "%s: %s", r.path, body)
		if r.path == "/v1/messages/count_tokens" {
			assert.Equal(t, "error", answer.Type, "Anthropic's error shape: %s", body)
		}
		assert.Equal(t, "server_shutting_down", answer.Error.Code, "%s: %s", r.path, body)
	}
}
