package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// postResponses sends a Responses body with the e2e key and returns the
// status and the decoded answer.
func postResponses(t *testing.T, e *e2e, body string) (int, map[string]any) {
	t.Helper()
	return postResponsesWith(t, e, e2eKey, body)
}

// postResponsesWith sends it with key and the header's name, value pairs.
func postResponsesWith(t *testing.T, e *e2e, key, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/responses", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	return resp.StatusCode, out
}

// The Vercel AI SDK's Responses model (`openai.responses(...)`, and
// `openai(...)`, its default) sends the assistant's earlier message of a
// tool loop back as {"type":"item_reference","id":<the message's id>},
// since OpenAI stores every answer. When Claude wrote that message the
// gateway minted its id and keeps the answer, so the reference is the
// gateway's to resolve: the loop's second step must reach Claude, with the
// referenced text in its place, instead of a 400 saying OpenAI stores it.
func TestResponsesItemReferenceToAKeptClaudeAnswerIsResolved(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	e.anthropic.Set("claude", upstreamtest.Behavior{
		ToolCall: &upstreamtest.ToolCall{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}, TextFirst: true})

	// ai@6 / @ai-sdk/openai@3 step 1, as the client sent it (routing_config
	// pins the test catalog's Claude).
	tools := `"tools":[{"type":"function","name":"get_weather","description":"weather","parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}],"tool_choice":"auto","routing_config":{"models":["claude"]}`
	status, first := postResponses(t, e, `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"weather in paris?"}]}],`+tools+`}`)
	require.Equal(t, http.StatusOK, status, first)
	out := first["output"].([]any)
	require.Len(t, out, 2)
	msg, call := out[0].(map[string]any), out[1].(map[string]any)
	require.Equal(t, "message", msg["type"])
	require.Equal(t, "function_call", call["type"])
	msgID := msg["id"].(string)

	// Step 2: the message by reference, the call and its output by value.
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Sunny."})
	status, second := postResponses(t, e, `{"model":"model-router","input":[`+
		`{"role":"user","content":[{"type":"input_text","text":"weather in paris?"}]},`+
		`{"type":"item_reference","id":"`+msgID+`"},`+
		`{"type":"function_call","call_id":"toolu_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},`+
		`{"type":"function_call_output","call_id":"toolu_1","output":"{\"city\":\"Paris\",\"temp\":20}"}],`+tools+`}`)
	require.Equal(t, http.StatusOK, status, "the gateway minted %s and keeps it: %v", msgID, second["error"])
	assert.Equal(t, "claude", second["model"])
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"user: weather in paris?", "assistant: Hello from claude. tool_use toolu_1", "user: tool_result toolu_1"},
		anthropicTurns(t, reqs[1].Body), "the referenced message is sent as Claude wrote it")
}

// The same SDK's plain chat (`generateText({model: openai(...), messages})`
// with the first answer's response.messages appended) sends Claude's
// answer back by reference too: the second turn of every such
// conversation depends on the gateway resolving it.
func TestResponsesSecondTurnReferencingAKeptClaudeAnswerIsAnswered(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	pin := `"routing_config":{"models":["claude"]}`
	status, first := postResponses(t, e, `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],`+pin+`}`)
	require.Equal(t, http.StatusOK, status, first)
	msgID := first["output"].([]any)[0].(map[string]any)["id"].(string)

	status, second := postResponses(t, e, `{"model":"model-router","input":[`+
		`{"role":"user","content":[{"type":"input_text","text":"hi"}]},`+
		`{"type":"item_reference","id":"`+msgID+`"},`+
		`{"role":"user","content":[{"type":"input_text","text":"and again?"}]}],`+pin+`}`)
	require.Equal(t, http.StatusOK, status, "%v", second["error"])
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"user: hi", "assistant: Hello from claude.", "user: and again?"}, anthropicTurns(t, reqs[1].Body))
}

// A referenced answer is sent by value, so the conversation can go on
// anywhere: it prefers the model that wrote it (here on a deployment whose
// router would pick a cheaper model), and the call's kept form carries the
// item itself, so a later previous_response_id continuation that Claude
// fails reaches an OpenAI model whole, with no id OpenAI never issued.
func TestResponsesItemReferenceToAKeptAnswerPrefersItsWriterAndTravels(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]

	// Turn 1, streamed (the AI SDK's streamText): the ids come from the
	// stream's events.
	stream := client.Responses.NewStreaming(context.Background(), ask("hi"), onModel("claude"))
	first := completedResponse(t, stream)
	require.Equal(t, "claude", first.Model)
	require.Len(t, first.Output, 1)
	msgID := first.Output[0].ID

	status, second := postResponses(t, e, `{"model":"model-router","input":[`+
		`{"role":"user","content":[{"type":"input_text","text":"hi"}]},`+
		`{"type":"item_reference","id":"`+msgID+`"},`+
		`{"role":"user","content":[{"type":"input_text","text":"and again?"}]}]}`)
	require.Equal(t, http.StatusOK, status, "%v", second["error"])
	assert.Equal(t, "claude", second["model"], "the conversation stays with the model that wrote the referenced answer")

	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	third, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(second["id"].(string)),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("once more")},
	})
	require.NoError(t, err)
	require.NotEqual(t, "claude", third.Model)
	fwd := e.openai.RequestsFor(third.Model)
	require.NotEmpty(t, fwd)
	var body map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(fwd[len(fwd)-1].Body, &body))
	assert.JSONEq(t, `[
		{"role":"user","content":[{"type":"input_text","text":"hi"}]},
		{"role":"assistant","content":"Hello from claude."},
		{"role":"user","content":[{"type":"input_text","text":"and again?"}]},
		{"role":"assistant","content":"Hello from claude."},
		{"role":"user","content":"once more"}]`, string(body["input"]))
}

// A kept answer belongs to the key that made it: another key's reference
// to one of its items is refused as an unknown item, and nothing of it
// reaches a provider. An id the gateway does not keep stays OpenAI's.
func TestResponsesItemReferenceToAnotherKeysAnswerIsNotFound(t *testing.T) {
	const otherKey = "sk-other-team"
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) {
		c.Keys = keyStore{e2eKey: true, otherKey: true}
		c.Responses = kept
	})
	status, first := postResponses(t, e, `{"model":"model-router","input":"my secret plan","routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	msgID := first["output"].([]any)[0].(map[string]any)["id"].(string)
	sent := len(e.openai.Requests()) + len(e.anthropic.Requests())

	status, theirs := postResponsesWith(t, e, otherKey, `{"model":"model-router","input":[`+
		`{"type":"item_reference","id":"`+msgID+`"},{"role":"user","content":"go on"}]}`)
	require.Equal(t, http.StatusNotFound, status, theirs)
	apiErr := theirs["error"].(map[string]any)
	assert.Equal(t, "input", apiErr["param"])
	assert.Contains(t, apiErr["message"], msgID)
	assert.Equal(t, sent, len(e.openai.Requests())+len(e.anthropic.Requests()), "nothing of another key's answer reaches a provider")

	// Deleted, the answer is no longer the gateway's to resolve: as any id
	// it does not keep, only OpenAI's models may answer the reference.
	_, err := kept.DeleteResponse(context.Background(), first["id"].(string))
	require.NoError(t, err)
	status, gone := postResponses(t, e, `{"model":"model-router","input":[`+
		`{"type":"item_reference","id":"`+msgID+`"},{"role":"user","content":"go on"}],"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, gone)
	assert.Contains(t, gone["error"].(map[string]any)["message"], "is stored at OpenAI")
}

// The items a call names are bounded as its own body is: a few short
// references to a long kept answer must not make the gateway build and
// send a body of any size.
func TestResponsesItemReferencesOverTheBodyLimitAreRefused(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses, c.MaxBodyBytes = kept, 4000 })
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: strings.Repeat("long answer ", 100)})
	status, first := postResponses(t, e, `{"model":"model-router","input":"hi","routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	ref := `{"type":"item_reference","id":"` + first["output"].([]any)[0].(map[string]any)["id"].(string) + `"},`

	status, out := postResponses(t, e, `{"model":"model-router","input":[`+strings.Repeat(ref, 4)+
		`{"role":"user","content":"go on"}],"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, status, out)
	assert.Equal(t, "input", out["error"].(map[string]any)["param"])
	assert.Len(t, e.anthropic.RequestsFor("claude"), 1, "the oversized call reaches no provider")
}
