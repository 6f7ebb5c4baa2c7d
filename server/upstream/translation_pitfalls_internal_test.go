package upstream

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	anthropic "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// sdkAccumulate feeds translated events to anthropic-sdk-go's own
// accumulator, as an SDK client streaming with Message.Accumulate does.
func sdkAccumulate(t *testing.T, evs []sseEvent) anthropic.Message {
	t.Helper()
	var msg anthropic.Message
	for _, ev := range evs {
		var e anthropic.MessageStreamEventUnion
		require.NoError(t, json.Unmarshal(ev.data, &e), "event %s: %s", ev.name, ev.data)
		require.NoError(t, msg.Accumulate(e), "event %s: %s", ev.name, ev.data)
	}
	return msg
}

// Two parallel tool calls whose argument fragments interleave (index 0,
// 1, 0, 1), as some OpenAI-compatible servers stream them. Each fragment
// must reach a block still open: anthropic-sdk-go empties a block's
// unfinished input at content_block_stop, so a fragment sent after it
// would lose the call's arguments.
func TestChatMessagesStreamInterleavedToolArgsSurviveSDKAccumulate(t *testing.T) {
	s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
	evs := feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"x\":"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":"{\"y\":"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"2}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		`{"id":"c","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}`,
		"[DONE]")
	msg := sdkAccumulate(t, evs)
	require.Len(t, msg.Content, 2)
	require.JSONEq(t, `{"x":1}`, string(msg.Content[0].Input), "first call's arguments")
	require.JSONEq(t, `{"y":2}`, string(msg.Content[1].Input), "second call's arguments")
}

// A whitespace-only text run before tool calls ("\n\n", which several
// OpenAI-compatible models write) is no text block: the client sends the
// turn back with its tool results, and if that turn goes to Claude (the
// body is passed byte for byte), Anthropic answers 400 "messages: text
// content blocks must contain non-whitespace text".
func TestChatToMessageDropsWhitespaceOnlyText(t *testing.T) {
	body, _, err := chatToMessage([]byte(`{"id":"x","choices":[{"message":{"content":"\n\n","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`), router.Model{Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	var msg struct {
		Content []struct{ Type, Text string } `json:"content"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	for _, b := range msg.Content {
		if b.Type == "text" {
			require.NotEmpty(t, strings.TrimSpace(b.Text), "whitespace-only text block in %s", body)
		}
	}
}

// The same in a stream: whitespace is held back until text comes, and
// dropped when a tool call comes first.
func TestChatMessagesStreamDropsWhitespaceOnlyText(t *testing.T) {
	s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
	evs := feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"\n\n"}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		"[DONE]")
	msg := sdkAccumulate(t, evs)
	for _, b := range msg.Content {
		if b.Type == "text" {
			require.NotEmpty(t, strings.TrimSpace(b.Text), "whitespace-only text block %q", b.Text)
		}
	}
}

// Anthropic's tool_use ids must match ^[a-zA-Z0-9_-]+$; ids other servers
// write ("functions.get_weather:0") would get a 400 from Claude, so they
// are mapped, a call and its result alike.
func TestToAnthropicMakesToolIDsFitAnthropicsPattern(t *testing.T) {
	out, err := ToAnthropic([]byte(`{"model":"x","messages":[{"role":"user","content":"q"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"functions.get_weather:0","content":"sunny"}],
		"tools":[{"type":"function","function":{"name":"get_weather"}}]}`),
		router.Model{ID: "c", Name: "claude", Provider: "anthropic", Format: "Anthropic"})
	require.NoError(t, err)
	var body struct {
		Messages []struct {
			Content []struct {
				Type      string `json:"type"`
				ID        string `json:"id"`
				ToolUseID string `json:"tool_use_id"`
			} `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(out, &body))
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	var use, result string
	for _, m := range body.Messages {
		for _, b := range m.Content {
			switch b.Type {
			case "tool_use":
				use = b.ID
				require.Regexp(t, valid, b.ID, "tool_use.id")
			case "tool_result":
				result = b.ToolUseID
				require.Regexp(t, valid, b.ToolUseID, "tool_result.tool_use_id")
			}
		}
	}
	require.Equal(t, use, result, "the pair must still match")
	require.Equal(t, "call_Ab-9", anthropicToolID("call_Ab-9"), "a fitting id goes as it is")
	require.NotEqual(t, anthropicToolID("a.b"), anthropicToolID("a:b"), "two ids stay two")
	require.Regexp(t, valid, anthropicToolID(""))
}

// Claude Code sends a metadata.user_id of about 150 characters (its device
// hash, account and session ids); OpenAI refuses a `user` longer than 64
// characters ("Invalid 'user': string too long", a 400 the gateway would
// pass to the client), so a long one goes as its SHA-256.
func TestMessagesToChatShortensAUserIDOpenAIWouldRefuse(t *testing.T) {
	userID := `user_` + strings.Repeat("a1", 32) + `_account_3f1e2c4d-5b6a-4c7d-8e9f-0a1b2c3d4e5f_session_9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d`
	require.Greater(t, len(userID), 140)
	m := router.Model{ID: "gpt-4.1-id", Name: "gpt-4.1", Provider: "openai", Format: "OpenAI"}
	out, err := MessagesToChat([]byte(`{"model":"x","max_tokens":9,"metadata":{"user_id":"`+userID+`"},"messages":[{"role":"user","content":"q"}]}`), m)
	require.NoError(t, err)
	var body struct {
		User string `json:"user"`
	}
	require.NoError(t, json.Unmarshal(out, &body))
	require.LessOrEqual(t, len(body.User), 64, "OpenAI refuses a longer user: %s", out)
	require.Equal(t, openAIUser(userID), body.User, "the same user, the same value")
	require.NotEqual(t, openAIUser(userID+"x"), body.User)
	require.Equal(t, "user-7", openAIUser("user-7"), "one that fits goes as it is")
}
