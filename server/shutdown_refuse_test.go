package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
