package upstream

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// translateAll feeds Anthropic events to s and returns what came out,
// checking that every event is named by its type and numbered in order.
func translateAll(t *testing.T, s *responsesAnthropicStream, events ...string) []sseEvent {
	t.Helper()
	var out []sseEvent
	for _, e := range events {
		out = append(out, s.translate(sseEvent{data: []byte(e)})...)
	}
	for _, ev := range out {
		var head struct {
			Type string `json:"type"`
			Seq  int    `json:"sequence_number"`
		}
		require.NoError(t, json.Unmarshal(ev.data, &head))
		require.Equal(t, ev.name, head.Type)
	}
	return out
}

func names(evs []sseEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.name)
	}
	return out
}

// Thinking takes no output index; two text blocks around it make one
// message item, closed when the tool call starts; the tool call's
// arguments come in pieces and in full; a call without arguments gets {}
// as its one delta.
func TestResponsesAnthropicStreamItems(t *testing.T) {
	s := newResponsesAnthropicStream(claudeX, settingsOf(nil))
	block := func(i int, b string) string {
		return fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":%s}`, i, b)
	}
	delta := func(i int, d string) string {
		return fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":%s}`, i, d)
	}
	stop := func(i int) string { return fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, i) }
	out := translateAll(t, s,
		`{"type":"message_start","message":{"id":"msg_01abc","usage":{"input_tokens":5,"cache_read_input_tokens":2,"output_tokens":1}}}`,
		block(0, `{"type":"thinking","thinking":"","signature":""}`),
		delta(0, `{"type":"thinking_delta","thinking":"hmm"}`),
		delta(0, `{"type":"signature_delta","signature":"sig"}`),
		stop(0),
		block(1, `{"type":"text","text":""}`),
		`{"type":"ping"}`,
		delta(1, `{"type":"text_delta","text":"One. "}`),
		stop(1),
		block(2, `{"type":"text","text":"Two."}`),
		stop(2),
		block(3, `{"type":"tool_use","id":"toolu_1","name":"f","input":{}}`),
		delta(3, `{"type":"input_json_delta","partial_json":""}`),
		delta(3, `{"type":"input_json_delta","partial_json":"{\"a\":"}`),
		delta(3, `{"type":"input_json_delta","partial_json":"1}"}`),
		stop(3),
		block(4, `{"type":"tool_use","id":"toolu_2","name":"g","input":{}}`),
		stop(4),
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}`,
	)
	require.False(t, s.complete(), "the answer is whole at message_stop")
	out = append(out, translateAll(t, s, `{"type":"message_stop"}`)...)
	require.True(t, s.complete())
	require.Empty(t, s.translate(sseEvent{data: []byte(`{"type":"message_stop"}`)}), "nothing after the end")

	require.Equal(t, []string{
		"response.created", "response.in_progress",
		"response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
		"response.function_call_arguments.done", "response.output_item.done",
		"response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
		"response.completed",
	}, names(out))
	// -1 for the events without an output_index.
	wantIndex := []int{-1, -1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, -1}
	for i, ev := range out {
		var head struct {
			Seq         int  `json:"sequence_number"`
			OutputIndex *int `json:"output_index"`
		}
		require.NoError(t, json.Unmarshal(ev.data, &head))
		require.Equal(t, i, head.Seq)
		got := -1
		if head.OutputIndex != nil {
			got = *head.OutputIndex
		}
		require.Equal(t, wantIndex[i], got, "output_index of event %d (%s)", i, ev.name)
	}
	require.JSONEq(t, `{"type":"response.function_call_arguments.delta","sequence_number":15,"item_id":"`+s.items[2].id+`",
		"output_index":2,"delta":"{}"}`, string(out[15].data), "a call without arguments gets {} as a delta too, so the deltas add up to it")
	require.JSONEq(t, `{"type":"response.function_call_arguments.done","sequence_number":16,"item_id":"`+s.items[2].id+`",
		"output_index":2,"name":"g","arguments":"{}"}`, string(out[16].data), "a call without arguments carries {}")

	var done struct {
		Response struct {
			ID     string            `json:"id"`
			Status string            `json:"status"`
			Output []json.RawMessage `json:"output"`
			Usage  json.RawMessage   `json:"usage"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(out[len(out)-1].data, &done))
	r := done.Response
	require.Regexp(t, `^resp_[0-9a-f]{24}$`, r.ID, "the gateway's id, not Anthropic's message id")
	require.Equal(t, "completed", r.Status)
	require.Len(t, r.Output, 3)
	require.JSONEq(t, `{"id":"`+s.items[0].id+`","type":"message","status":"completed","role":"assistant",
		"content":[{"type":"output_text","text":"One. Two.","annotations":[]}]}`, string(r.Output[0]))
	require.JSONEq(t, `{"id":"`+s.items[1].id+`","type":"function_call","status":"completed","arguments":"{\"a\":1}",
		"call_id":"toolu_1","name":"f"}`, string(r.Output[1]))
	require.JSONEq(t, `{"input_tokens":7,"input_tokens_details":{"cached_tokens":2},"output_tokens":9,
		"output_tokens_details":{"reasoning_tokens":0},"total_tokens":16}`, string(r.Usage))
	u, ok := s.usage()
	require.True(t, ok)
	require.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 9, CachedTokens: 2}, u)
}

// An error event before message_start leaves nothing written, so the
// attempt can fail over; after it, the stream is broken and the copy loop
// writes the Responses error event (relayed is false).
func TestResponsesAnthropicStreamError(t *testing.T) {
	s := newResponsesAnthropicStream(claudeX, settingsOf(nil))
	require.Empty(t, s.translate(sseEvent{data: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)}))
	msg, relayed := s.failure()
	require.Equal(t, "Overloaded", msg)
	require.False(t, relayed)
	require.False(t, s.complete())
}

// max_tokens ends the stream with response.incomplete; the open text item
// is closed first.
func TestResponsesAnthropicStreamIncomplete(t *testing.T) {
	s := newResponsesAnthropicStream(claudeX, settingsOf(nil))
	out := translateAll(t, s,
		`{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":2}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Cut"}}`,
		`{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":1}}`,
		`{"type":"message_stop"}`,
	)
	require.Equal(t, []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.incomplete"}, names(out))
	last := out[len(out)-1].data
	var e struct {
		Response struct {
			Status            string          `json:"status"`
			IncompleteDetails json.RawMessage `json:"incomplete_details"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(last, &e))
	require.Equal(t, "incomplete", e.Response.Status)
	require.JSONEq(t, `{"reason":"max_output_tokens"}`, string(e.Response.IncompleteDetails))
	require.True(t, s.complete())
}

func TestAnthropicToResponse(t *testing.T) {
	raw := `{"id":"msg_01x","type":"message","content":[
		{"type":"thinking","thinking":"hmm","signature":"s"},
		{"type":"text","text":"a <b> "},{"type":"text","text":"c"},
		{"type":"tool_use","id":"toolu_1","name":"f","input":{ "x" : [1, 2] }},
		{"type":"text","text":"after"}],
		"stop_reason":"refusal","usage":{"input_tokens":3,"cache_creation_input_tokens":4,"cache_read_input_tokens":1,"output_tokens":5}}`
	body, usage, err := anthropicToResponse([]byte(raw), claudeX, settingsOf(nil), rawJSON(`{"big":"details"}`), nil, router.Usage{})
	require.NoError(t, err)
	require.Equal(t, router.Usage{PromptTokens: 8, CompletionTokens: 5, CachedTokens: 1, CacheWriteTokens: 4}, usage)
	var r struct {
		ID                string `json:"id"`
		CreatedAt         int64  `json:"created_at"`
		Output            []map[string]any
		Status            string          `json:"status"`
		IncompleteDetails json.RawMessage `json:"incomplete_details"`
		Usage             json.RawMessage `json:"usage"`
		Details           json.RawMessage `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(body, &r))
	require.Regexp(t, `^resp_[0-9a-f]{24}$`, r.ID, "the gateway's id, not Anthropic's message id")
	require.Positive(t, r.CreatedAt)
	require.Equal(t, "incomplete", r.Status)
	require.JSONEq(t, `{"reason":"content_filter"}`, string(r.IncompleteDetails))
	require.Len(t, r.Output, 3)
	require.Equal(t, "message", r.Output[0]["type"])
	require.Equal(t, "a <b> c", r.Output[0]["content"].([]any)[0].(map[string]any)["text"])
	require.Equal(t, "function_call", r.Output[1]["type"])
	require.Equal(t, `{"x":[1,2]}`, r.Output[1]["arguments"])
	require.Equal(t, "after", r.Output[2]["content"].([]any)[0].(map[string]any)["text"])
	require.JSONEq(t, `{"input_tokens":8,"input_tokens_details":{"cached_tokens":1},"output_tokens":5,
		"output_tokens_details":{"reasoning_tokens":0},"total_tokens":13}`, string(r.Usage))
	require.JSONEq(t, `{"big":"details"}`, string(r.Details))
	require.Contains(t, string(body), `"a <b> c"`, "no HTML escaping")
}

func TestResponseIDsAreTheGatewaysOwn(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newResponseID()
		require.Regexp(t, `^resp_[0-9a-f]{24}$`, id)
		require.False(t, seen[id], "id %s repeated", id)
		seen[id] = true
	}
}

// The stream hands its response to keep while it translates message_stop,
// so keep runs before the last event can be written: a client that
// continues the conversation the moment its stream ends finds it kept.
func TestResponsesAnthropicStreamKeepsBeforeTheLastEvent(t *testing.T) {
	s := newResponsesAnthropicStream(claudeX, settingsOf(nil))
	var kept []*responseObject
	s.keep = func(r *responseObject, _ []byte) { kept = append(kept, r) }
	for _, e := range []string{
		`{"type":"message_start","message":{"id":"msg_k","usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Kept."}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`,
	} {
		translateAll(t, s, e)
		require.Empty(t, kept, "nothing is kept before the message ends")
	}
	last := translateAll(t, s, `{"type":"message_stop"}`)
	require.Len(t, kept, 1)
	require.Equal(t, "response.completed", last[len(last)-1].name)
	var done struct {
		Response struct {
			ID     string          `json:"id"`
			Output json.RawMessage `json:"output"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(last[len(last)-1].data, &done))
	require.Equal(t, done.Response.ID, kept[0].ID)
	output, err := json.Marshal(kept[0].Output)
	require.NoError(t, err)
	require.JSONEq(t, string(done.Response.Output), string(output))
}
