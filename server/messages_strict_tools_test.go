package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Messages tool with `strict: true` (Anthropic's strict tool use, which
// holds the tool's input to its schema: anthropic-sdk-go's
// ToolParam.Strict) reaches an OpenAI-format model as a strict function,
// which OpenAI holds to the schema the same way; dropped, the model's
// arguments could miss a required field the client's code relies on. A
// schema outside OpenAI's strict rules or a tool that is not strict gets
// the function without strict, as an output_config.format outside them
// does (TestStrictToolNeedsStructuredOutput: nor does a model without
// structured output); with require_parameters such a model is left out
// instead.
func TestMessagesStrictToolsReachAnOpenAIModelStrict(t *testing.T) {
	const closed = `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`
	const open = `{"type":"object","properties":{"city":{"type":"string"}}}`
	sentStrict := func(t *testing.T, e *e2e, model string) map[string]bool {
		t.Helper()
		reqs := e.openai.RequestsFor(model)
		require.Len(t, reqs, 1)
		var sent struct {
			Tools []struct {
				Function struct {
					Name   string `json:"name"`
					Strict *bool  `json:"strict"`
				} `json:"function"`
			} `json:"tools"`
		}
		require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
		out := map[string]bool{}
		for _, tool := range sent.Tools {
			out[tool.Function.Name] = tool.Function.Strict != nil && *tool.Function.Strict
		}
		return out
	}
	tools := `"tools":[{"name":"weather","strict":true,"input_schema":` + closed + `},` +
		`{"name":"loose","strict":true,"input_schema":` + open + `},` +
		`{"name":"plain","input_schema":` + closed + `}]`
	body := func(models string, require bool) string {
		return `{"model":"model-router","max_tokens":1024,"messages":[{"role":"user","content":"Weather in Paris?"}],` + tools +
			`,"routing_config":{"models":[` + models + `],"require_parameters":` + map[bool]string{true: "true", false: "false"}[require] + `}}`
	}

	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", body(`"mini"`, false))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, map[string]bool{"weather": true, "loose": false, "plain": false}, sentStrict(t, e, "mini"),
		"strict where the schema is within OpenAI's strict rules and the tool asked for it")

	// With require_parameters, a model that would get a strict tool
	// without strict is left out, and Claude, which takes it, answers.
	e = newE2E(t)
	status, out = postMessages(t, e, http.MethodPost, "/v1/messages", body(`"mini","claude"`, true))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "claude", out["model"], "mini would hold the loose tool to nothing")
	assert.Zero(t, len(e.openai.Requests()), "nothing reaches mini")
	reasons := candidateReasons(out)
	assert.Contains(t, reasons["mini"], "(not carried as sent by the translation to its provider's API; tools[1].input_schema: $",
		"which strict tool would go without strict, and the strict-mode rule its schema breaks")
}
