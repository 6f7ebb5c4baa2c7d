package upstream_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// keeper collects what a call's Keep is handed.
type keeper struct {
	mu   sync.Mutex
	kept []upstream.Kept
}

func (k *keeper) keep(v upstream.Kept) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kept = append(k.kept, v)
}

func (k *keeper) all() []upstream.Kept {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]upstream.Kept(nil), k.kept...)
}

// A Responses answer translated from Claude is stored by no provider, so
// it is handed to Keep with the id and output items the client got; an
// answer from an OpenAI model (stored by OpenAI) and a stream that broke
// off are not.
func TestTranslatedResponsesAnswersAreHandedToKeep(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{ToolCall: lookupCall, TextFirst: true, Reply: "Checking."})
	f.anthropic.Set("claude-cut", upstreamtest.Behavior{CutAfter: 3})
	var k keeper

	t.Run("answer", func(t *testing.T) {
		g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
		g.keep = k.keep
		c := sdkClient(g)
		res, err := c.Responses.New(context.Background(), lookupParams())
		require.NoError(t, err)
		g.outcome(t)
		kept := k.all()
		require.Len(t, kept, 1)
		require.Equal(t, res.ID, kept[0].ID)
		require.Equal(t, "claude-x-id", kept[0].Model.ID)
		var output []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(res.RawJSON()), &struct {
			Output *[]json.RawMessage `json:"output"`
		}{&output}))
		require.Len(t, output, 2, "the text, then the call")
		require.JSONEq(t, "["+string(output[0])+","+string(output[1])+"]", string(kept[0].Output))
		var whole map[string]any
		require.NoError(t, json.Unmarshal([]byte(res.RawJSON()), &whole))
		delete(whole, "model_selection_details")
		wholeJSON, _ := json.Marshal(whole)
		require.JSONEq(t, string(wholeJSON), string(kept[0].Response), "the answer as the client got it, less the routing details")
	})

	t.Run("stream", func(t *testing.T) {
		g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
		g.keep = k.keep
		evs, err := streamEvents(t, sdkClient(g), lookupParams())
		require.NoError(t, err)
		g.outcome(t)
		res := final(t, evs, "response.completed")
		kept := k.all()
		require.Len(t, kept, 2)
		require.Equal(t, res.ID, kept[1].ID)
		var items []map[string]any
		require.NoError(t, json.Unmarshal(kept[1].Output, &items))
		require.Len(t, items, 2)
		require.Equal(t, "Checking.", items[0]["content"].([]any)[0].(map[string]any)["text"])
		require.Equal(t, "toolu_7", items[1]["call_id"])
		require.JSONEq(t, lookupCall.Arguments, items[1]["arguments"].(string))
		var whole map[string]any
		require.NoError(t, json.Unmarshal(kept[1].Response, &whole))
		require.Equal(t, res.ID, whole["id"])
		require.Equal(t, "completed", whole["status"])
		require.Len(t, whole["output"], 2)
	})

	t.Run("not kept", func(t *testing.T) {
		const ask = `{"model":"router","input":"hi"}`
		const askStream = `{"model":"router","input":"hi","stream":true}`
		for _, tc := range []struct {
			name, path, body string
			g                *gateway
		}{
			{"OpenAI's own answer", "/responses", ask, newGateway(t, f.fwd, upstream.APIResponses, openAIModel("gpt-x"))},
			{"OpenAI's own stream", "/responses", askStream, newGateway(t, f.fwd, upstream.APIResponses, openAIModel("gpt-x"))},
			{"a broken stream", "/responses", askStream, newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-cut"))},
			{"a Chat Completions answer", "/chat/completions", `{"model":"router","messages":[{"role":"user","content":"hi"}]}`,
				newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))},
		} {
			tc.g.keep = k.keep
			tc.g.post(t, tc.path, tc.body)
			tc.g.outcome(t)
			require.Len(t, k.all(), 2, tc.name)
		}
	})
}
