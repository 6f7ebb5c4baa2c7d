package server

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// threadRequest is a Messages call as @anthropic-ai/sdk's message threads
// send it (anthropic-beta message-threads-2026-08-12), with key.
func threadRequest(t *testing.T, e *e2e, key, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/messages", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-api-key", key)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("anthropic-beta", "message-threads-2026-08-12")
	req.Header.Set("content-type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// postThreadTurn sends a thread's turn with the e2e key and returns the
// status and the JSON answer.
func postThreadTurn(t *testing.T, e *e2e, body string) (int, map[string]any) {
	t.Helper()
	return postThreadTurnAs(t, e, e2eKey, body)
}

func postThreadTurnAs(t *testing.T, e *e2e, key, body string) (int, map[string]any) {
	t.Helper()
	res := threadRequest(t, e, key, body)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return res.StatusCode, out
}

// streamThreadTurn sends a streamed thread turn and returns the answer's
// id, from message_start.
func streamThreadTurn(t *testing.T, e *e2e, body string) string {
	t.Helper()
	res := threadRequest(t, e, e2eKey, body)
	require.Equal(t, http.StatusOK, res.StatusCode)
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	id := ""
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type    string `json:"type"`
			Message struct {
				ID string `json:"id"`
			} `json:"message"`
		}
		require.NoError(t, json.Unmarshal([]byte(data), &ev))
		if ev.Type == "message_start" {
			id = ev.Message.ID
		}
	}
	require.NotEmpty(t, id, "no message_start")
	return id
}

// threadNotFoundCode is the error_code on which Anthropic's SDKs send the
// whole conversation again under a new thread.
func threadNotFoundCode(t *testing.T, out map[string]any) string {
	t.Helper()
	e, _ := out["error"].(map[string]any)
	details, _ := e["details"].(map[string]any)
	code, _ := details["error_code"].(string)
	return code
}

// @anthropic-ai/sdk 1.14 holds conversations on the server: its
// beta.messages.thread(...).send() and beta.messages.toolRunner() send the
// first turn with thread {"type":"create"} and each later one with
// {"type":"continue","previous_message_id"} and only the new messages (no
// system, no tools). A model other than Claude holds no thread, so a
// continuation must not reach it as if it were the whole conversation (it
// would answer "What is my name?" having never seen "My name is Bob.").
// The gateway answers as Anthropic does for a thread it does not hold, and
// the SDK's resend of the whole conversation then reaches the model whole.
func TestMessagesThreadContinuationNeverReachesAModelWithoutItsHistory(t *testing.T) {
	e := newE2E(t)
	pin := `"routing_config":{"models":["mini"]}`
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"system":"be brief","messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"stream":false,`+pin+`}`)
	require.Equal(t, http.StatusOK, status, first)
	id := first["id"].(string)
	require.Len(t, e.openai.RequestsFor("mini"), 1)
	assert.NotContains(t, string(e.openai.RequestsFor("mini")[0].Body), "thread", "a Chat Completions provider gets no thread field")

	status, second := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"`+id+`"},"stream":false,`+pin+`}`)
	require.Equal(t, http.StatusNotFound, status, second)
	assert.Equal(t, "not_found_error", second["error"].(map[string]any)["type"])
	assert.Equal(t, "thread_not_found", threadNotFoundCode(t, second), "an error the SDK recovers from by sending the whole history: %v", second)
	assert.Len(t, e.openai.RequestsFor("mini"), 1, "the continuation reached no model")

	// What the SDK sends next: the whole conversation under a new thread.
	status, third := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"system":"be brief","messages":[`+
		`{"role":"user","content":"My name is Bob."},{"role":"assistant","content":[{"type":"text","text":"Hello from mini."}]},`+
		`{"role":"user","content":"What is my name?"}],"thread":{"type":"create"},"stream":false,`+pin+`}`)
	require.Equal(t, http.StatusOK, status, third)
	reqs := e.openai.RequestsFor("mini")
	require.Len(t, reqs, 2)
	assert.Contains(t, string(reqs[1].Body), "My name is Bob.")
	assert.Contains(t, string(reqs[1].Body), "be brief")
}

// A thread Claude holds is continued at Claude, whatever the router would
// choose for the new messages alone (mini here), streamed or not; the
// thread field reaches it as the client sent it.
func TestMessagesThreadContinuationStaysWithTheClaudeModelThatHoldsIt(t *testing.T) {
	e := newE2E(t)
	id := streamThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"system":"be brief","messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"stream":true,"routing_config":{"models":["claude"]}}`)

	status, second := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"`+id+`"}}`)
	require.Equal(t, http.StatusOK, status, second)
	assert.Equal(t, "claude", second["model"])

	status, third := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"And again?"}],"thread":{"type":"continue","previous_message_id":"`+second["id"].(string)+`"}}`)
	require.Equal(t, http.StatusOK, status, third)
	assert.Equal(t, "claude", third["model"])

	assert.Empty(t, e.openai.Requests(), "no other model got a turn of the thread")
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 3)
	var sent struct {
		Thread map[string]string `json:"thread"`
	}
	require.NoError(t, json.Unmarshal(reqs[2].Body, &sent))
	assert.Equal(t, map[string]string{"type": "continue", "previous_message_id": second["id"].(string)}, sent.Thread)
}

// A continuation whose thread's model the call leaves out (its
// routing_config, or another client key's thread) reaches no model: the
// client gets thread_not_found, on which the SDK sends the conversation
// whole to a model the call allows.
func TestMessagesThreadContinuationItsCallCannotSendToItsModelIsNotFound(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Keys = keyStore{e2eKey: true, "sk-other": true} })
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	cont := `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"` + first["id"].(string) + `"}%s}`

	status, out := postThreadTurn(t, e, strings.Replace(cont, "%s", `,"routing_config":{"models":["mini"]}`, 1))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "thread_not_found", threadNotFoundCode(t, out), "%v", out)

	status, out = postThreadTurnAs(t, e, "sk-other", strings.Replace(cont, "%s", "", 1))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "thread_not_found", threadNotFoundCode(t, out), "%v", out)

	assert.Len(t, e.anthropic.Requests(), 1)
	assert.Empty(t, e.openai.Requests())
}

// When Claude no longer holds a thread (it keeps one 5 minutes), its own
// 404 reaches the client as it sent it, error_code included, so the SDK
// resends; no other model is asked the new messages alone.
func TestMessagesThreadClaudeNoLongerHoldsReachesTheClientAsClaudeSentIt(t *testing.T) {
	e := newE2E(t)
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusNotFound,
		FailBody: `{"type":"error","error":{"type":"not_found_error","message":"No thread state for previous_message_id.","details":{"error_code":"thread_not_found"}}}`})

	status, out := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"`+first["id"].(string)+`"}}`)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "thread_not_found", threadNotFoundCode(t, out), "%v", out)
	assert.Empty(t, e.openai.Requests())
}

// A thread of a kind the gateway does not know could reach a model without
// the conversation it stands for: it is refused before routing.
func TestMessagesThreadOfAnUnknownKindIsRefused(t *testing.T) {
	e := newE2E(t)
	for _, body := range []string{`{"type":"fork","previous_message_id":"msg_1"}`, `{"type":"continue"}`, `"create"`} {
		status, out := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"thread":`+body+`}`)
		require.Equal(t, http.StatusBadRequest, status, body)
		assert.Contains(t, out["error"].(map[string]any)["message"], "thread", body)
	}
	assert.Empty(t, e.openai.Requests())
	assert.Empty(t, e.anthropic.Requests())
}
