package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// What a stream sends before its answer is held (the model may still fail
// over) up to 64 KiB; the event that would take it past goes out with
// everything held, first to last, and what follows is not held again.
func TestTheGatewayHoldsAtMost64KiBOfAStreamBeforeItsAnswer(t *testing.T) {
	s := newOpenAIStream(router.Model{ID: "m-id"}, false)
	s.failover = true
	chunk := func(n byte) sseEvent {
		return sseEvent{data: []byte(`{"choices":[],"n":"` + string(n) + strings.Repeat("x", 40<<10) + `"}`)}
	}

	assert.Empty(t, s.translate(chunk('a')), "40 KiB is held")
	out := s.translate(chunk('b'))
	require.Len(t, out, 2, "80 KiB is not held: the held event goes out with the new one")
	assert.Contains(t, string(out[0].data), `"n":"ax`)
	assert.Contains(t, string(out[1].data), `"n":"bx`)
	assert.Len(t, s.translate(chunk('c')), 1, "once passed on, events are not held again")
}

// The chunk with only the role is held, and so is one more like it; the
// first chunk that carries any of an answer (text, a refusal, a tool call,
// reasoning text, an empty answer's finish reason) sends it, first. A
// Messages client's message_start goes out at the same chunk, though its
// translation has no place for reasoning text.
func TestTheRoleChunkGoesOutWithTheFirstChunkThatCarriesAnAnswer(t *testing.T) {
	role := sseEvent{data: []byte(`{"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}`)}
	choice := func(delta, finish string) sseEvent {
		return sseEvent{data: []byte(`{"id":"c1","model":"m","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + `}]}`)}
	}
	for name, next := range map[string]sseEvent{
		"text":           choice(`{"content":"Hi"}`, "null"),
		"refusal":        choice(`{"refusal":"I can't."}`, "null"),
		"tool call":      choice(`{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}`, "null"),
		"reasoning text": choice(`{"reasoning_content":"Let me think."}`, "null"),
		"finish reason":  choice(`{}`, `"stop"`),
	} {
		t.Run(name, func(t *testing.T) {
			s := newOpenAIStream(router.Model{ID: "m-id"}, false)
			s.failover = true
			assert.Empty(t, s.translate(role))
			assert.Empty(t, s.translate(choice(`{"content":""}`, "null")), "a chunk with nothing in it is held too")
			out := s.translate(next)
			require.Len(t, out, 3)
			assert.Contains(t, string(out[0].data), `"role":"assistant"`)
			assert.Contains(t, string(out[0].data), `"model":"m-id"`, "renamed as it would have been")
			assert.JSONEq(t, strings.Replace(string(next.data), `"model":"m"`, `"model":"m-id"`, 1), string(out[2].data))

			m := newChatMessagesStream(router.Model{ID: "m-id"})
			assert.Empty(t, m.translate(role))
			got := m.translate(next)
			require.NotEmpty(t, got)
			assert.Equal(t, "message_start", got[0].name)
		})
	}
}

// Claude's pings after message_start, however many, neither release it
// (the model could no longer fail over) nor reach the Messages client
// with it: message_start goes out alone with the first content block, and
// the pings after that are passed on as they come.
func TestPingsWhileMessageStartIsHeldAreDropped(t *testing.T) {
	s := newMessagesPassStream(router.Model{ID: "m-id"})
	start := sseEvent{name: "message_start", data: []byte(`{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3}}}`)}
	ping := sseEvent{name: "ping", data: []byte(`{"type":"ping"}`)}
	block := sseEvent{name: "content_block_start", data: []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)}
	assert.Empty(t, s.translate(start))
	for range 10 * maxHeld {
		assert.Empty(t, s.translate(ping), "held: the model can still fail over")
	}
	out := s.translate(block)
	require.Len(t, out, 2)
	assert.Equal(t, "message_start", out[0].name)
	assert.Contains(t, string(out[0].data), `"model":"m-id"`)
	assert.Equal(t, "content_block_start", out[1].name)
	assert.Equal(t, []sseEvent{ping}, s.translate(ping), "once the answer began, pings go out")
}
