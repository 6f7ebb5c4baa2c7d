package upstream

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Two parallel tool calls after some text: each new call index closes the
// block before it, and the ending waits for the usage chunk.
func TestChatMessagesStreamBlocks(t *testing.T) {
	s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
	tool := func(i int, id, name, args string) string {
		return fmt.Sprintf(`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":%d,"id":%q,"function":{"name":%q,"arguments":%q}}]}}]}`, i, id, name, args)
	}
	chunks := []string{
		`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"content":"Looking."}}]}`,
		tool(0, "a", "f", ""),
		tool(0, "", "", `{"x":`),
		tool(0, "", "", `1}`),
		tool(1, "b", "g", `{}`),
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
	}
	var got []string
	var last []byte
	add := func(evs []sseEvent) {
		for _, ev := range evs {
			if ev.name == "message_delta" {
				last = ev.data
			}
			var e struct {
				Type  string `json:"type"`
				Index *int   `json:"index"`
			}
			require.NoError(t, json.Unmarshal(ev.data, &e))
			require.Equal(t, ev.name, e.Type, "events are named by their type")
			if e.Index != nil {
				got = append(got, fmt.Sprintf("%s/%d", e.Type, *e.Index))
			} else {
				got = append(got, e.Type)
			}
		}
	}
	for _, c := range chunks {
		add(s.translate(sseEvent{data: []byte(c)}))
	}
	require.False(t, s.complete(), "the usage chunk is still to come")
	add(s.translate(sseEvent{data: []byte(`{"id":"c","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}`)}))
	require.True(t, s.complete())
	require.Empty(t, s.translate(sseEvent{data: []byte("[DONE]")}))
	require.Nil(t, s.end())
	require.Equal(t, []string{
		"message_start",
		"content_block_start/0", "content_block_delta/0", "content_block_stop/0",
		"content_block_start/1", "content_block_delta/1", "content_block_delta/1", "content_block_stop/1",
		"content_block_start/2", "content_block_delta/2", "content_block_stop/2",
		"message_delta", "message_stop",
	}, got)
	require.JSONEq(t, `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
		"usage":{"input_tokens":5,"cache_read_input_tokens":2,"output_tokens":3}}`, string(last))
	u, ok := s.usage()
	require.True(t, ok)
	require.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 3, CachedTokens: 2}, u)
}

// An error chunk before anything went out leaves the attempt free to fail
// over: nothing is emitted, and the message explains the failure.
func TestChatMessagesStreamErrorChunk(t *testing.T) {
	s := newChatMessagesStream(router.Model{Name: "m"})
	require.Empty(t, s.translate(sseEvent{data: []byte(`{"error":{"message":"boom"}}`)}))
	msg, relayed := s.failure()
	require.Equal(t, "boom", msg)
	require.False(t, relayed)
	require.False(t, s.complete())
	require.Nil(t, s.end(), "no finish_reason: not a whole answer")
}
