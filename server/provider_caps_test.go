package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// functionTools is a Chat Completions tools array of n function tools.
func functionTools(n int) string {
	tools := make([]string, n)
	for i := range tools {
		tools[i] = fmt.Sprintf(`{"type":"function","function":{"name":"f%d","parameters":{"type":"object"}}}`, i)
	}
	return "[" + strings.Join(tools, ",") + "]"
}

// clientTools is a Messages tools array of n client tools.
func clientTools(n int) string {
	tools := make([]string, n)
	for i := range tools {
		tools[i] = fmt.Sprintf(`{"name":"f%d","input_schema":{"type":"object"}}`, i)
	}
	return "[" + strings.Join(tools, ",") + "]"
}

// The fake OpenAI refuses more than 128 tools, as OpenAI does: the call
// goes to Claude, which takes them, rather than to the cheaper OpenAI
// model and its 400.
func TestChatWithMoreToolsThanOpenAITakesGoesToClaude(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],"tools":`+functionTools(129)+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var answer struct {
		Model   string `json:"model"`
		Details struct {
			Candidates []struct{ Model, Reason string } `json:"candidates"`
		} `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(body, &answer))
	assert.Equal(t, "claude", answer.Model)
	assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
	for _, c := range answer.Details.Candidates {
		if c.Model == "mini" {
			assert.Contains(t, c.Reason, "provider openai takes at most 128 tools on Chat Completions, the call declares 129")
		}
	}
}

func TestChatWithMoreToolsThanEveryModelTakesIsRefusedBeforeRouting(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],"routing_config":{"models":["large","mini"]},"tools":`+functionTools(129)+`}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	we := errorOf(t, body)
	require.NotNil(t, we.Error.Code)
	assert.Equal(t, router.ENoEligible, *we.Error.Code)
	assert.Contains(t, we.Error.Message, "at most 128 tools")
	assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
	assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
}

// 128 tools is within OpenAI's cap: the cheaper model answers.
func TestChatWithAsManyToolsAsOpenAITakesIsRoutedAsBefore(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],"tools":`+functionTools(128)+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.Requests(), 1)
}

// A Messages call reaches an OpenAI model as Chat Completions, its tools
// one for one: past OpenAI's cap it stays with Claude.
func TestMessagesWithMoreToolsThanOpenAITakesGoesToClaude(t *testing.T) {
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
		`{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"Hi"}],"tools":`+clientTools(129)+`}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, "claude", out["model"])
	assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
}

// messagesConversation is a Messages conversation of n one-word turns.
func messagesConversation(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		b.WriteString(`{"role":"` + role + `","content":"hi"}`)
	}
	b.WriteString("]")
	return b.String()
}

// Anthropic takes at most 100,000 messages in a request: a longer
// Messages conversation goes to a model reached through the translation,
// and with none left is the client's 400, in Anthropic's shape, before
// any provider is asked.
func TestMessagesWithMoreMessagesThanAnthropicTakes(t *testing.T) {
	conv := messagesConversation(100_001)
	t.Run("another model answers", func(t *testing.T) {
		e := newE2E(t)
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":100,"routing_config":{"models":["claude","mini"],"mode":"quality"},"messages":`+conv+`}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "mini", out["model"])
		assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
	})
	t.Run("none can", func(t *testing.T) {
		e := newE2E(t)
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":100,"routing_config":{"models":["claude"]},"messages":`+conv+`}`)
		require.Equal(t, http.StatusBadRequest, status, "%v", out)
		assert.Equal(t, "error", out["type"])
		detail, _ := out["error"].(map[string]any)
		assert.Equal(t, "invalid_request_error", detail["type"])
		assert.Equal(t, router.ENoEligible, detail["code"])
		assert.Contains(t, detail["message"], "provider anthropic takes at most 100000 messages, the call sends 100001")
		assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
	})
}

// A conversation over Anthropic's message cap that is also too long for
// the context window is refused as too long, as before the cap was
// checked: context_length_exceeded has the client trim it, which lifts
// the cap too, where no_eligible would end the conversation.
func TestAConversationOverClaudesMessageCapAndItsContextIsContextLengthExceeded(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := range 100_001 {
		if i > 0 {
			b.WriteString(",")
		}
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		b.WriteString(`{"role":"` + role + `","content":"what did the previous turn say about it"}`)
	}
	b.WriteString("]")
	conv := b.String()
	for _, models := range []string{`["claude"]`, `["claude","mini"]`} {
		e := newE2E(t)
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":100,"routing_config":{"models":`+models+`},"messages":`+conv+`}`)
		require.Equal(t, http.StatusBadRequest, status, "%s: %.300v", models, out)
		detail, _ := out["error"].(map[string]any)
		assert.Equal(t, router.ReasonContextLength, detail["code"], "%s: %.300v", models, detail)
		assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
		assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
	}
}

// OpenAI takes at most 4 stop sequences; Claude's translation carries more
// as its stop_sequences.
func TestChatWithMoreStopSequencesThanOpenAITakesGoesToClaude(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],"stop":["a","b","c","d","e"]}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var answer struct{ Model string }
	require.NoError(t, json.Unmarshal(body, &answer))
	assert.Equal(t, "claude", answer.Model)
	assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
	sent := e.anthropic.Requests()
	require.Len(t, sent, 1)
	var claudeBody struct {
		StopSequences []string `json:"stop_sequences"`
	}
	require.NoError(t, json.Unmarshal(sent[0].Body, &claudeBody))
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, claudeBody.StopSequences)

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],"stop":["a","b","c","d"]}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.Requests(), 1, "4 stop sequences go to the cheaper OpenAI model")
}

// chatImages is a user message of n image parts and a question.
func chatImages(n int) string {
	parts := make([]string, 0, n+1)
	for range n {
		parts = append(parts, `{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}`)
	}
	parts = append(parts, `{"type":"text","text":"Which differ?"}`)
	return `[{"role":"user","content":[` + strings.Join(parts, ",") + `]}]`
}

// Anthropic takes at most 100 images in a request to a model with a 200K
// window: a call with more goes to a model that takes them.
func TestChatWithMoreImagesThanClaudeTakesGoesToAnotherModel(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","routing_config":{"models":["claude","mini"],"mode":"quality"},"messages":`+chatImages(101)+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var answer struct{ Model string }
	require.NoError(t, json.Unmarshal(body, &answer))
	assert.Equal(t, "mini", answer.Model)
	assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")

	status, _, body = postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","routing_config":{"models":["claude","mini"],"mode":"quality"},"messages":`+chatImages(100)+`}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.NoError(t, json.Unmarshal(body, &answer))
	assert.Equal(t, "claude", answer.Model, "100 images go to the better model")
}

// A tool name of 65 to 128 characters (an MCP tool's, prefixed with its
// server's) is Claude's to take and OpenAI's to refuse.
func TestMessagesWithAToolNameLongerThanOpenAITakesGoesToClaude(t *testing.T) {
	e := newE2E(t)
	name := "mcp__" + strings.Repeat("files", 12) + "__read"
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
		`{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"`+name+`","input_schema":{"type":"object"}}]}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, "claude", out["model"])
	assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
}

// A name with a character neither OpenAI nor Anthropic takes is the
// client's 400 before routing, in the legacy functions that old clients
// still send as in tools.
func TestChatWithAToolNameNoModelTakesIsRefusedBeforeRouting(t *testing.T) {
	for _, tc := range []struct{ form, tools string }{
		{"tools", `"tools":[{"type":"function","function":{"name":"files.read","parameters":{"type":"object"}}}]`},
		{"legacy functions", `"functions":[{"name":"files.read","parameters":{"type":"object"}}]`},
	} {
		t.Run(tc.form, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
				`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],`+tc.tools+`}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			we := errorOf(t, body)
			require.NotNil(t, we.Error.Code)
			assert.Equal(t, router.ENoEligible, *we.Error.Code)
			assert.Contains(t, we.Error.Message, `takes tool names of 1 to 64 letters, digits, _ and -, not "files.read"`)
			assert.Zero(t, len(e.openai.Requests()), "no OpenAI call")
			assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
		})
	}
}

// A gateway given a --max-body above Anthropic's 32 MB request limit
// sends a larger call to a model that takes it: Claude would answer 413,
// which does not fail over.
func TestChatLargerThanAnthropicTakesGoesToAnotherModel(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.MaxBodyBytes = 40 << 20 })
	image := `{"type":"image_url","image_url":{"url":"data:image/png;base64,` + strings.Repeat("A", 33<<20) + `"}}`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","routing_config":{"models":["claude","mini"],"mode":"quality"},"messages":[{"role":"user","content":[`+image+`,{"type":"text","text":"What is it?"}]}]}`)
	require.Equal(t, http.StatusOK, status, "%.300s", body)
	var answer struct{ Model string }
	require.NoError(t, json.Unmarshal(body, &answer))
	assert.Equal(t, "mini", answer.Model)
	assert.Zero(t, len(e.anthropic.Requests()), "no Anthropic call")
}
