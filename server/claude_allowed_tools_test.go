package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claudeToolsSent is what a request to Claude offered: its tools' names
// and its tool_choice.
func claudeToolsSent(t *testing.T, body []byte) ([]string, string) {
	t.Helper()
	var sent struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
		ToolChoice json.RawMessage `json:"tool_choice"`
	}
	require.NoError(t, json.Unmarshal(body, &sent))
	var names []string
	for _, tool := range sent.Tools {
		names = append(names, tool.Name)
	}
	return names, string(sent.ToolChoice)
}

// OpenAI's allowed_tools tool choice (Chat's nested form and Responses'
// flat one) lets the model call only the tools it names, among all the
// call declares. Anthropic's tool_choice has no such list, so Claude gets
// only the allowed tools, with tool_choice auto or any (none when none is
// allowed): Claude answers the call rather than being skipped for another
// model. The allowed tools keep the order the call declares them in, so the
// same set listed in another order gives Claude the same prompt.
func TestAllowedToolsReachClaudeAsTheOnlyToolsItMayCall(t *testing.T) {
	const chatTools = `"tools":[
		{"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{}}}},
		{"type":"function","function":{"name":"time"}},
		{"type":"function","function":{"name":"delete_all"}}]`
	const responsesTools = `"tools":[
		{"type":"function","name":"weather","parameters":{"type":"object","properties":{}}},
		{"type":"function","name":"time"},
		{"type":"function","name":"delete_all"}]`
	cases := []struct {
		name, path, body, choice string
		tools                    []string
	}{
		{"chat auto", "/v1/chat/completions", `"messages":[{"role":"user","content":"Weather and time in Paris?"}],` + chatTools + `,
			"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[
				{"type":"function","function":{"name":"weather"}},{"type":"function","function":{"name":"time"}}]}}`,
			`{"type":"auto"}`, []string{"weather", "time"}},
		{"chat required, no parallel calls", "/v1/chat/completions", `"messages":[{"role":"user","content":"Weather and time in Paris?"}],` + chatTools + `,
			"parallel_tool_calls":false,
			"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[
				{"type":"function","function":{"name":"weather"}},{"type":"function","function":{"name":"time"}}]}}`,
			`{"type":"any","disable_parallel_tool_use":true}`, []string{"weather", "time"}},
		{"responses required", "/v1/responses", `"input":"Weather and time in Paris?",` + responsesTools + `,
			"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"weather"},{"type":"function","name":"time"}]}`,
			`{"type":"any"}`, []string{"weather", "time"}},
		{"responses required, listed against the declared order", "/v1/responses", `"input":"Weather and time in Paris?",` + responsesTools + `,
			"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"time"},{"type":"function","name":"weather"},{"type":"function","name":"time"}]}`,
			`{"type":"any"}`, []string{"weather", "time"}},
		{"responses auto, no tool allowed", "/v1/responses", `"input":"Weather and time in Paris?",` + responsesTools + `,
			"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[]}`,
			`{"type":"none"}`, nil},
	}
	for _, c := range cases {
		e := newE2E(t)
		st, _, body := postRaw(t, e, http.MethodPost, c.path, `{"model":"model-router","routing_config":{"models":["claude"]},`+c.body+`}`)
		require.Equal(t, http.StatusOK, st, "%s: %s", c.name, body)
		assert.Equal(t, "claude", modelOf(t, body), c.name)
		reqs := e.anthropic.RequestsFor("claude")
		require.Len(t, reqs, 1, c.name)
		names, choice := claudeToolsSent(t, reqs[0].Body)
		assert.Equal(t, c.tools, names, "%s: only the allowed tools", c.name)
		assert.JSONEq(t, c.choice, choice, c.name)
	}
}

// An allowed_tools choice Claude cannot honour leaves Claude out: a tool
// the call does not declare, or mode required with no tool allowed.
func TestAllowedToolsClaudeCannotHonourAre400(t *testing.T) {
	for name, choice := range map[string]string{
		"undeclared tool":       `{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"launch"}]}`,
		"required with no tool": `{"type":"allowed_tools","mode":"required","tools":[]}`,
		"unknown mode":          `{"type":"allowed_tools","mode":"sometimes","tools":[{"type":"function","name":"time"}]}`,
	} {
		e := newE2E(t)
		st, _, body := postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","routing_config":{"models":["claude"]},
			"input":"What time is it?","tools":[{"type":"function","name":"time"}],"tool_choice":`+choice+`}`)
		assert.Equal(t, http.StatusBadRequest, st, "%s: %s", name, body)
		assert.Contains(t, string(body), "allowed_tools", name)
		assert.Empty(t, e.anthropic.Requests(), "%s: nothing reaches Claude", name)
	}
}
