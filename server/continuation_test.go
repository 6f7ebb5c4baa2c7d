package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// memResponses is a ResponseStore in memory (the SQLite one is tested in
// store/ and through `modelrouter serve` in cmd/).
type memResponses struct {
	mu   sync.Mutex
	byID map[string]StoredResponse
}

func (m *memResponses) PutResponse(_ context.Context, r StoredResponse) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID = map[string]StoredResponse{}
	}
	if _, ok := m.byID[r.ID]; ok {
		return fmt.Errorf("response %q is kept already", r.ID)
	}
	m.byID[r.ID] = r
	return nil
}

func (m *memResponses) ResponseChain(_ context.Context, id string, maxBytes int64) ([]StoredResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var chain []StoredResponse
	for r, ok := m.byID[id]; ok; r, ok = m.byID[r.PreviousID] {
		chain = append([]StoredResponse{r}, chain...)
	}
	if len(chain) > 0 && chain[0].PreviousID != "" {
		// As the SQLite store answers a chain cut short.
		return nil, &router.Error{Code: router.EInvalid, Reason: router.PreviousResponseNotFound, Param: "previous_response_id",
			Message: fmt.Sprintf("the conversation of response %q is no longer kept: response %q is gone", id, chain[0].PreviousID)}
	}
	return chain, nil
}

func (m *memResponses) KeptResponse(_ context.Context, id string) (StoredResponse, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.byID[id]
	return r, ok, nil
}

func (m *memResponses) KeptResponses(_ context.Context, ids []string) (map[string]StoredResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := map[string]StoredResponse{}
	for _, id := range ids {
		if r, ok := m.byID[id]; ok {
			kept[id] = r
		}
	}
	return kept, nil
}

func (m *memResponses) DeleteResponse(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.byID[id]
	delete(m.byID, id)
	return ok, nil
}

func (m *memResponses) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byID)
}

// anthropicTurns is the conversation an Anthropic request carried, each
// message as role and the types (or text) of its content blocks.
func anthropicTurns(t *testing.T, body []byte) []string {
	t.Helper()
	var sent struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Type      string `json:"type"`
				Text      string `json:"text"`
				ID        string `json:"id"`
				ToolUseID string `json:"tool_use_id"`
			} `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &sent))
	var turns []string
	for _, m := range sent.Messages {
		s := m.Role + ":"
		for _, b := range m.Content {
			switch b.Type {
			case "text":
				s += " " + b.Text
			case "tool_use":
				s += " tool_use " + b.ID
			case "tool_result":
				s += " tool_result " + b.ToolUseID
			}
		}
		turns = append(turns, s)
	}
	return turns
}

// A Responses conversation answered by Claude goes on by
// previous_response_id: the gateway keeps each answer (no provider stores
// a translated one) and sends the whole conversation, on Claude while it
// answers, on another model when it fails. Agent loops work the same way:
// a function's output continues the call Claude asked for.
func TestE2EContinuesAClaudeConversationByPreviousResponseID(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	lookup := &upstreamtest.ToolCall{ID: "toolu_1", Name: "lookup", Arguments: `{"city":"Paris"}`}
	e.anthropic.Set("claude", upstreamtest.Behavior{ToolCall: lookup})

	// Turn 1, streamed, asks for a tool call.
	params := responses.ResponseNewParams{
		Model:        "model-router",
		Instructions: openai.String("Be brief."),
		Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in Paris?")},
		Tools: []responses.ToolUnionParam{responses.ToolParamOfFunction("lookup",
			map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}, false)},
	}
	stream := client.Responses.NewStreaming(context.Background(), params,
		option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	first := completedResponse(t, stream)
	require.Equal(t, "claude", first.Model)
	require.Len(t, first.Output, 1)
	require.Equal(t, "toolu_1", first.Output[0].CallID)

	// Turn 2, sent the moment the stream ended: the function's output.
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Sunny in Paris."})
	output := responses.ResponseInputItemParamOfFunctionCallOutput("sunny, 21 C")
	output.OfFunctionCallOutput.CallID = openai.String("toolu_1")
	second, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(first.ID), Tools: params.Tools,
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{output}},
	})
	require.NoError(t, err)
	assert.Equal(t, "claude", second.Model, "the conversation stays on the model that answered it")
	assert.Equal(t, "Sunny in Paris.", second.OutputText())
	d := selection(t, extraOf(second.JSON.ExtraFields))
	assert.Equal(t, true, d["session_affinity"])
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"user: Weather in Paris?", "assistant: tool_use toolu_1", "user: tool_result toolu_1"},
		anthropicTurns(t, reqs[1].Body))
	var system struct {
		System any `json:"system"`
	}
	require.NoError(t, json.Unmarshal(reqs[1].Body, &system))
	assert.Nil(t, system.System, "instructions are not carried over to the next call, as at OpenAI")

	// Turn 3: Claude fails, and another model answers with the whole
	// conversation, for no provider knows the previous response's id.
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	third, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(second.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And tomorrow?")},
	})
	require.NoError(t, err)
	require.NotEqual(t, "claude", third.Model)
	fwd := e.openai.RequestsFor(third.Model)
	require.NotEmpty(t, fwd)
	var body map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(fwd[len(fwd)-1].Body, &body))
	assert.NotContains(t, body, "previous_response_id")
	assert.JSONEq(t, `[
		{"role":"user","content":"Weather in Paris?"},
		{"type":"function_call","call_id":"toolu_1","name":"lookup","arguments":"{\"city\":\"Paris\"}"},
		{"type":"function_call_output","call_id":"toolu_1","output":"sunny, 21 C"},
		{"role":"assistant","content":"Sunny in Paris."},
		{"role":"user","content":"And tomorrow?"}]`, string(body["input"]))
	assert.Equal(t, 2, kept.len(), "the OpenAI model's answer is stored by its provider, not kept")
}

// store: false keeps nothing, so that answer cannot be continued; a
// response the gateway does not keep is a provider's and stays with it.
func TestE2EStoreFalseKeepsNothing(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", Store: openai.Bool(false),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Do not keep this")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	require.NoError(t, err)
	require.Equal(t, "claude", resp.Model)
	assert.Zero(t, kept.len())

	_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(resp.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Contains(t, apiErr.Message, "store: false", "says why it cannot be continued")
	assert.Contains(t, apiErr.Message, "send the whole conversation")
}

// A continuation that adds no user turn would end Claude's conversation
// with its own answer, which Claude would continue instead of answering:
// another model answers it. A conversation whose start is gone is a 400.
func TestE2EContinuationEdges(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	first, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name a river.")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	require.NoError(t, err)
	require.Equal(t, "claude", first.Model)

	again, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(first.ID),
	})
	require.NoError(t, err)
	assert.NotEqual(t, "claude", again.Model)
	tried, _ := selection(t, extraOf(again.JSON.ExtraFields))["fallbacks_tried"].([]any)
	require.Len(t, tried, 1)
	assert.Equal(t, "claude", tried[0].(map[string]any)["model"], "Claude was skipped, not asked")
	assert.Len(t, e.anthropic.RequestsFor("claude"), 1)

	require.NoError(t, kept.PutResponse(context.Background(), StoredResponse{ID: "resp_orphan", PreviousID: "resp_gone",
		Model: "claude", Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)}))
	_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String("resp_orphan"),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Equal(t, "previous_response_not_found", apiErr.Code)
	assert.Contains(t, apiErr.Message, "resp_gone")
}

// blockingResponses never answers a lookup before the caller gives up;
// looking is closed once a lookup has begun.
type blockingResponses struct {
	memResponses
	looking chan struct{}
}

func (b *blockingResponses) ResponseChain(ctx context.Context, _ string, _ int64) ([]StoredResponse, error) {
	close(b.looking)
	<-ctx.Done()
	return nil, fmt.Errorf("read response chain: %w", ctx.Err())
}

// A client that leaves while its conversation is being looked up is
// logged as 499 (as when it leaves during forwarding), not as an internal
// error.
func TestClientGoneDuringLookupIsLoggedAs499(t *testing.T) {
	kept := &blockingResponses{looking: make(chan struct{})}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		client := e.clients()["v1"]
		_, err := client.Responses.New(ctx, responses.ResponseNewParams{
			Model: "model-router", PreviousResponseID: openai.String("resp_1"),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
		})
		done <- err
	}()
	select {
	case <-kept.looking:
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway never looked the conversation up")
	}
	cancel()
	require.Error(t, <-done)
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, 499, rec.Status)
	assert.Equal(t, router.EUpstream, rec.ErrorCode)
}

// A client whose connection closes while it is still sending its body is
// logged as a client that left (499), not as one that sent an invalid
// request: its request was never seen whole.
func TestClientGoneWhileSendingItsBodyIsLoggedAs499(t *testing.T) {
	e := newE2E(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":\"model-router\",\"messages\":[", e2eKey)
	require.NoError(t, err)
	require.NoError(t, conn.Close())

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, 499, rec.Status)
	assert.Equal(t, router.EUpstream, rec.ErrorCode)
}

// completedResponse reads a Responses stream to its end and returns the
// response its response.completed event carries.
func completedResponse(t *testing.T, stream *ssestream.Stream[responses.ResponseStreamEventUnion]) responses.Response {
	t.Helper()
	var done responses.Response
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "response.completed" {
			done = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	return done
}
