package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
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
	inputs := map[int][]string{}
	add := func(evs []sseEvent) {
		for _, ev := range evs {
			if ev.name == "message_delta" {
				last = ev.data
			}
			var e struct {
				Type  string `json:"type"`
				Index *int   `json:"index"`
				Delta struct {
					PartialJSON *string `json:"partial_json"`
				} `json:"delta"`
			}
			require.NoError(t, json.Unmarshal(ev.data, &e))
			if p := e.Delta.PartialJSON; p != nil {
				inputs[*e.Index] = append(inputs[*e.Index], *p)
			}
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
	require.True(t, s.complete(), "the finish reason makes the answer whole")
	require.False(t, s.over(), "the usage chunk is still to come")
	add(s.translate(sseEvent{data: []byte(`{"id":"c","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}`)}))
	require.True(t, s.over())
	require.Empty(t, s.translate(sseEvent{data: []byte("[DONE]")}))
	require.Nil(t, s.end())
	require.Equal(t, []string{
		"message_start",
		"content_block_start/0", "content_block_delta/0", "content_block_stop/0",
		// Tool call blocks stay open to the end: a server may still send
		// a fragment of the first call after the second began. Each
		// call's arguments go as they come (the first call's "{" before
		// its next fragment came), as far as they can still end as one
		// object (inputDelta).
		"content_block_start/1", "content_block_delta/1", "content_block_delta/1",
		"content_block_start/2", "content_block_delta/2", "content_block_stop/1", "content_block_stop/2",
		"message_delta", "message_stop",
	}, got)
	require.Equal(t, map[int][]string{1: {`{`, `"x":1}`}, 2: {`{}`}}, inputs, "the model's own bytes, one object per block")
	require.JSONEq(t, `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
		"usage":{"input_tokens":5,"cache_read_input_tokens":2,"cache_creation_input_tokens":0,"output_tokens":3}}`, string(last))
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

// feed translates chunks and returns every event written, in order.
func feed(t *testing.T, s *chatMessagesStream, chunks ...string) []sseEvent {
	t.Helper()
	var out []sseEvent
	for _, c := range chunks {
		out = append(out, s.translate(sseEvent{data: []byte(c)})...)
	}
	return append(out, s.end()...)
}

// An error chunk followed by [DONE] (how some servers end a failed
// generation) is a broken answer, not a finished one.
func TestChatMessagesStreamErrorThenDone(t *testing.T) {
	s := newChatMessagesStream(router.Model{Name: "m"})
	evs := feed(t, s, `{"id":"c","choices":[{"index":0,"delta":{"content":"Half an ans"}}]}`,
		`{"error":{"message":"CUDA out of memory"}}`, "[DONE]")
	require.False(t, s.complete())
	for _, ev := range evs {
		require.NotEqual(t, "message_stop", ev.name)
	}
	msg, _ := s.failure()
	require.Equal(t, "CUDA out of memory", msg)
}

// A call whose name comes after its first fragments starts its block with
// the name and id it really has, and keeps every argument fragment, passed
// on as they come: what came before the name goes with it; a new id at
// index 0 (servers that leave out `index`) is a second call.
func TestChatMessagesStreamLateNamesAndMissingIndexes(t *testing.T) {
	s := newChatMessagesStream(router.Model{Name: "m"})
	named := feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"get_weather","arguments":"ty\":\"Par"}}]}}]}`)
	require.Equal(t, "content_block_delta", named[len(named)-1].name)
	require.JSONEq(t, `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Par"}}`,
		string(named[len(named)-1].data), "the arguments so far go with the name, before the call's last fragment came")
	evs := append(named, feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_2","function":{"name":"get_time","arguments":"{}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, "[DONE]")...)
	require.True(t, s.complete())
	type block struct{ id, name, args string }
	var blocks []block
	stop := ""
	for _, ev := range evs {
		var e struct {
			ContentBlock struct{ Type, ID, Name string } `json:"content_block"`
			Index        int                             `json:"index"`
			Delta        struct {
				PartialJSON string `json:"partial_json"`
				StopReason  string `json:"stop_reason"`
			} `json:"delta"`
		}
		require.NoError(t, json.Unmarshal(ev.data, &e))
		switch ev.name {
		case "content_block_start":
			blocks = append(blocks, block{id: e.ContentBlock.ID, name: e.ContentBlock.Name, args: "{}"})
		case "content_block_delta":
			// The block's input, as an SDK reads it: {} until a fragment comes.
			blocks[e.Index].args = strings.TrimPrefix(blocks[e.Index].args, "{}") + e.Delta.PartialJSON
		case "message_delta":
			stop = e.Delta.StopReason
		}
	}
	require.Equal(t, []block{{"call_1", "get_weather", `{"city":"Paris"}`}, {"call_2", "get_time", "{}"}}, blocks)
	require.Equal(t, "tool_use", stop, "tool calls finished with \"stop\" still ask the client to run them")
}

// Servers that send usage on every chunk: the count reported is the last.
func TestChatMessagesStreamUsageOnEveryChunk(t *testing.T) {
	s := newChatMessagesStream(router.Model{Name: "m"})
	feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":4,"completion_tokens":1}}`,
		`{"id":"c","choices":[{"index":0,"delta":{"content":"b"}}],"usage":{"prompt_tokens":4,"completion_tokens":2}}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2}}`,
		`{"id":"c","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":9}}`, "[DONE]")
	require.True(t, s.complete())
	u, _ := s.usage()
	require.Equal(t, 9, u.CompletionTokens)
}

func TestChatToMessageLeavesNoEmptyTextBlock(t *testing.T) {
	body, _, err := chatToMessage([]byte(`{"id":"x","choices":[{"message":{"content":""},"finish_reason":"length"}]}`), router.Model{Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	require.JSONEq(t, `[]`, string(mustMember(t, body, "content")))
	body, _, err = chatToMessage([]byte(`{"id":"x","choices":[{"message":{"content":null,"tool_calls":[{"id":"c1","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}`), router.Model{Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	require.JSONEq(t, `"tool_use"`, string(mustMember(t, body, "stop_reason")))
}

func mustMember(t *testing.T, body []byte, key string) json.RawMessage {
	t.Helper()
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &obj))
	return obj[key]
}

// message_start counts the prompt: the provider's count when a chunk has
// brought it before the answer begins (servers that put usage on every
// chunk), else the gateway's estimate, which message_delta's count
// replaces; the usage read on the side is the provider's alone.
func TestChatMessagesStreamStartCountsThePrompt(t *testing.T) {
	start := func(chunks ...string) (map[string]int, router.Usage) {
		s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
		s.estimateWith(func() router.Usage { return router.Usage{PromptTokens: 40} })
		var usage map[string]int
		for _, c := range chunks {
			for _, ev := range s.translate(sseEvent{data: []byte(c)}) {
				var e struct {
					Message struct {
						Usage map[string]int `json:"usage"`
					} `json:"message"`
				}
				require.NoError(t, json.Unmarshal(ev.data, &e))
				if ev.name == "message_start" {
					usage = e.Message.Usage
				}
			}
		}
		u, _ := s.usage()
		return usage, u
	}
	usage, u := start(`{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}`)
	require.Equal(t, map[string]int{"input_tokens": 40, "output_tokens": 0}, usage)
	require.Zero(t, u.PromptTokens, "the estimate is not the provider's count")

	usage, u = start(`{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":{"prompt_tokens":12,"completion_tokens":1}}`)
	require.Equal(t, map[string]int{"input_tokens": 12, "output_tokens": 0}, usage)
	require.Equal(t, 12, u.PromptTokens)
}
