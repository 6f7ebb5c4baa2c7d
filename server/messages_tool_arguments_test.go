package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// parallelCallsUpstream is an OpenAI-format server that answers with two
// tool calls whose argument fragments interleave (call 1 starts before
// call 0's last fragment), split mid-string, as parallel calls may come:
// call 0's arguments end with last0, call 1's are {"tz":"Europe/Paris"}.
// A non-streamed call gets the same two calls whole.
func parallelCallsUpstream(t *testing.T, last0 string) string {
	args0 := `{"city":"Par` + last0
	chunk := func(delta string, finish string) string {
		return fmt.Sprintf(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}`+"\n\n", delta, finish)
	}
	frag := func(i int, args string) string {
		a, _ := json.Marshal(args)
		return chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%s}}]}`, i, a), "null")
	}
	stream := []string{
		chunk(`{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"get_weather","arguments":""}}]}`, "null"),
		frag(0, `{"city":"Par`),
		chunk(`{"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"get_time","arguments":""}}]}`, "null"),
		frag(1, `{"tz":"Europe/`),
		frag(0, last0),
		frag(1, `Paris"}`),
		chunk(`{}`, `"tool_calls"`),
		`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50}}` + "\n\n",
		"data: [DONE]\n\n",
	}
	a0, _ := json.Marshal(args0)
	whole := `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[` +
		`{"id":"call_A","type":"function","function":{"name":"get_weather","arguments":` + string(a0) + `}},` +
		`{"id":"call_B","type":"function","function":{"name":"get_time","arguments":"{\"tz\":\"Europe/Paris\"}"}}]},"finish_reason":"tool_calls"}],` +
		`"usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50}}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, whole)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range stream {
			_, _ = io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/v1"
}

// Two parallel tool calls from an OpenAI-format model whose fragments
// interleave reach an anthropic-sdk-go client as two tool_use blocks,
// streamed or not, each with its own id, name and input as an object, and
// stop_reason tool_use with the model's usage. Where the model wrote
// broken JSON for a call's arguments (a brace too many, two objects run
// together, an unquoted value, cut short), the stream's input_json_delta
// fragments of that block still make up one JSON object: an Anthropic
// client parses them as one when the block stops, and the TypeScript SDK
// fails the whole stream on fragments that are not (`Unexpected
// non-whitespace character after JSON`). The stream passed on what was
// well-formed as it came, so that object is what went out, closed, where
// the non-streamed answer has {}; the other call keeps its input.
func TestParallelToolCallsReachAMessagesClientWholeStreamedOrNot(t *testing.T) {
	paris := map[string]any{"city": "Paris"}
	for _, c := range []struct {
		name, last0    string
		streamed, want map[string]any
	}{
		{"valid", `is"}`, paris, paris},
		{"a brace too many", `is"}}`, paris, map[string]any{}},
		{"two objects run together", `is"}{"city":"Rome"}`, paris, map[string]any{}},
		{"unquoted value", `is", unit: c}`, paris, map[string]any{}},
		{"cut short", `is`, paris, map[string]any{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &e2e{openai: upstreamtest.NewOpenAI(t), anthropic: upstreamtest.NewAnthropic(t), log: &recordLog{}}
			e.openai.URL = parallelCallsUpstream(t, c.last0)
			e.start(t)
			client := e.anthropicClients(onlyModels("mini"))["v1"]
			params := helloParams("Weather and time in Paris?")
			params.Tools = []anthropic.ToolUnionParam{
				{OfTool: &anthropic.ToolParam{Name: "get_weather", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}}}},
				{OfTool: &anthropic.ToolParam{Name: "get_time", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"tz": map[string]any{"type": "string"}}}}},
			}
			stream := client.Messages.NewStreaming(context.Background(), params)
			streamed := anthropic.Message{}
			fragments := map[int64]string{}
			var order []string
			for stream.Next() {
				ev := stream.Current()
				require.NoError(t, streamed.Accumulate(ev))
				order = append(order, fmt.Sprintf("%s/%d", ev.Type, ev.Index))
				if ev.Type == "content_block_delta" && ev.Delta.Type == "input_json_delta" {
					fragments[ev.Index] += ev.Delta.PartialJSON
				}
			}
			// The first call's input goes on as it comes, not when its
			// block stops: its first fragment came before the second call.
			require.Contains(t, order, "content_block_delta/0")
			require.Less(t, slices.Index(order, "content_block_delta/0"), slices.Index(order, "content_block_start/1"), "%v", order)
			require.NoError(t, stream.Err())
			whole, err := client.Messages.New(context.Background(), params)
			require.NoError(t, err)

			for m, want0 := range map[*anthropic.Message]map[string]any{&streamed: c.streamed, whole: c.want} {
				assert.Equal(t, anthropic.StopReasonToolUse, m.StopReason)
				assert.EqualValues(t, 20, m.Usage.InputTokens)
				assert.EqualValues(t, 30, m.Usage.OutputTokens)
				require.Len(t, m.Content, 2, "one tool_use block per call, none merged or lost")
				for i, want := range []struct {
					id, name string
					input    map[string]any
				}{{"call_A", "get_weather", want0}, {"call_B", "get_time", map[string]any{"tz": "Europe/Paris"}}} {
					b := m.Content[i]
					assert.Equal(t, "tool_use", b.Type)
					assert.Equal(t, want.id, b.ID)
					assert.Equal(t, want.name, b.Name)
					var input map[string]any
					require.NoError(t, json.Unmarshal(b.Input, &input), "input %s", b.Input)
					assert.Equal(t, want.input, input)
				}
			}
			for i, want := range []map[string]any{c.streamed, {"tz": "Europe/Paris"}} {
				joined := fragments[int64(i)]
				if joined == "" {
					joined = "{}" // no fragment: the block's input stays content_block_start's {}
				}
				var input map[string]any
				require.NoError(t, json.Unmarshal([]byte(joined), &input), "block %d's fragments %q make up one JSON object", i, joined)
				assert.Equal(t, want, input)
			}
		})
	}
}
