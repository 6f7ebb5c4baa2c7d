package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The prompt estimate counts a request's texts without joining them (for a
// large request the joined copy is about the size of its body); both
// estimators must still give exactly what they gave for the joined text.
func TestPromptEstimateIsTheJoinedTextsEstimate(t *testing.T) {
	byChars := func(text string) int { return (len(text) + 3) / 4 }
	bodies := []struct {
		name string
		api  openai.API
		body string
	}{
		{"chat, a single text", openai.Chat, `{"model":"m","messages":[{"role":"user","content":"What is the capital of France?"}]}`},
		{"chat, messages, parts and tools", openai.Chat, `{"model":"m","messages":[
			{"role":"system","content":"You review Go code. Be brief."},
			{"role":"user","content":[{"type":"text","text":"Review this:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":"+count := 12\n-count := 0"}]},
			{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"main.go\"}"}}]},
			{"role":"tool","tool_call_id":"c1","content":"package main\n\nfunc main() {}"},
			{"role":"user","content":""},
			{"role":"user","content":"Größe 3 m², 日本語, 👍🏽 and Привет"}],
			"tools":[{"type":"function","function":{"name":"read_file","description":"Reads a file.","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}}]}`},
		{"messages, system blocks, tool use and results", openai.Messages, `{"model":"m","max_tokens":100,
			"system":[{"type":"text","text":"You are terse."},{"type":"text","text":""}],
			"messages":[{"role":"user","content":[{"type":"text","text":"Look up 1234567"},{"type":"text","text":"89 please"}]},
			{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{"q":1234567}}]},
			{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"café crème"}]}]}`},
		{"responses, instructions and items", openai.Responses, `{"model":"m","instructions":"Answer in French.",
			"input":[{"role":"user","content":[{"type":"input_text","text":"Hello"},{"type":"input_text","text":"there"}]},
			{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
			{"type":"function_call_output","call_id":"c1","output":"42"}]}`},
		{"chat, an agent's turns", openai.Chat, upstreamtest.AgentChat(6)},
		{"messages, an agent's turns", openai.Messages, upstreamtest.AgentMessages(6)},
		{"responses, an agent's turns", openai.Responses, upstreamtest.AgentResponses(6)},
		{"chat, many short turns", openai.Chat, upstreamtest.ShortTurnsChat(50)},
	}
	for _, b := range bodies {
		r, err := openai.Parse(b.api, []byte(b.body))
		require.NoError(t, err, b.name)
		texts := r.InputTexts()
		require.NotEmpty(t, texts, b.name)
		joined := strings.Join(texts, "\n")
		assert.Equal(t, byChars(joined), EstimateTokensByChars(texts), "%s: by characters", b.name)
		assert.Equal(t, models.EstimateTokens(joined), models.EstimateJoinedTokens(texts), "%s: fitted", b.name)
	}

	// Texts a parsed request never holds (it drops empty ones), which the
	// estimate must count as their joined text all the same.
	for _, texts := range [][]string{nil, {""}, {"", ""}, {"", "abc"}, {"abcd"}, {"abc", "d"}, {"ab", "", "c"}} {
		assert.Equal(t, byChars(strings.Join(texts, "\n")), EstimateTokensByChars(texts), "%q", texts)
	}
}
