package upstream

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The Messages API's answers from an OpenAI-compatible model carry that
// server's tool call ids as Anthropic takes them: the client sends the turn
// back with its tool_result, and when the next turn goes to Claude the body
// is passed byte for byte, so an id such as "functions.get_weather:0" would
// get Anthropic's 400.
func TestMessagesAnswerToolIDsFitAnthropicsPattern(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	m := router.Model{ID: "kimi-id", Name: "kimi", Provider: "openai", Format: "OpenAI"}

	body, _, err := chatToMessage([]byte(`{"id":"x","choices":[{"message":{"content":null,"tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`), m, nil, nil, router.Usage{})
	require.NoError(t, err)
	var msg struct {
		Content []struct{ Type, ID string } `json:"content"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	require.Len(t, msg.Content, 1)
	require.Regexp(t, valid, msg.Content[0].ID, "non-streamed tool_use.id, sent back to Claude on the next turn")

	s := newChatMessagesStream(m)
	evs := feed(t, s,
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		"[DONE]")
	got := sdkAccumulate(t, evs)
	require.Len(t, got.Content, 1)
	require.Regexp(t, valid, got.Content[0].ID, "streamed tool_use.id, sent back to Claude on the next turn")
}
