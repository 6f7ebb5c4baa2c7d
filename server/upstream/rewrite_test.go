package upstream_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

var (
	plainModel     = router.Model{ID: "gpt-4.1-2025-04-14", Name: "gpt-4.1", UpstreamModel: "gpt-4.1-2025-04-14", Provider: "openai"}
	reasoningModel = router.Model{ID: "o4-mini-2025-04-16", Name: "o4-mini", Provider: "openai",
		Capabilities: router.Capabilities{Reasoning: true}}
)

// members decodes a JSON object into its raw members.
func members(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &obj), string(body))
	out := map[string]string{}
	for k, v := range obj {
		out[k] = string(v)
	}
	return out
}

func TestRewriteOpenAI(t *testing.T) {
	tests := []struct {
		name  string
		api   upstream.API
		model router.Model
		in    string
		want  map[string]string // every member of the result, raw
	}{
		{
			name: "model set to the upstream name, routing_config dropped", api: upstream.APIChatCompletions, model: plainModel,
			in:   `{"model":"router","routing_config":{"mode":"cost"},"messages":[{"role":"user","content":"hi"}]}`,
			want: map[string]string{"model": `"gpt-4.1-2025-04-14"`, "messages": `[{"role":"user","content":"hi"}]`},
		},
		{
			name: "name used when no upstream model", api: upstream.APIChatCompletions, model: reasoningModel,
			in:   `{"model":"router","messages":[]}`,
			want: map[string]string{"model": `"o4-mini"`, "messages": `[]`},
		},
		{
			name: "non-reasoning model loses reasoning_effort only", api: upstream.APIChatCompletions, model: plainModel,
			in:   `{"model":"r","messages":[],"reasoning_effort":"high","temperature":0.7,"max_tokens":10,"stop":["x"]}`,
			want: map[string]string{"model": `"gpt-4.1-2025-04-14"`, "messages": `[]`, "temperature": `0.7`, "max_tokens": `10`, "stop": `["x"]`},
		},
		{
			name: "reasoning model loses sampling params, max_tokens renamed", api: upstream.APIChatCompletions, model: reasoningModel,
			in: `{"model":"r","messages":[],"reasoning_effort":"high","temperature":0.7,"top_p":1,"stop":"x","presence_penalty":0,
				"frequency_penalty":0,"logit_bias":{},"logprobs":true,"top_logprobs":2,"max_tokens":10}`,
			want: map[string]string{"model": `"o4-mini"`, "messages": `[]`, "reasoning_effort": `"high"`, "max_completion_tokens": `10`},
		},
		{
			name: "non-OpenAI reasoning model keeps max_tokens", api: upstream.APIChatCompletions,
			model: router.Model{ID: "deepseek-r1", Name: "deepseek-reasoner", Provider: "deepseek", Format: "DeepSeek",
				Capabilities: router.Capabilities{Reasoning: true}},
			in:   `{"model":"r","messages":[],"temperature":0.5,"max_tokens":10}`,
			want: map[string]string{"model": `"deepseek-reasoner"`, "messages": `[]`, "max_tokens": `10`},
		},
		{
			name: "max_completion_tokens wins over max_tokens", api: upstream.APIChatCompletions, model: reasoningModel,
			in:   `{"model":"r","messages":[],"max_tokens":10,"max_completion_tokens":20}`,
			want: map[string]string{"model": `"o4-mini"`, "messages": `[]`, "max_completion_tokens": `20`},
		},
		{
			name: "unknown and nested members keep their exact bytes", api: upstream.APIChatCompletions, model: plainModel,
			in:   "{\"model\":\"r\",\"messages\":[ {\"role\" : \"user\",\n \"content\":\"a<b & \\u00e9\"} ],\"x_vendor\":{\"deep\": [1, 2.50, null]},\"n\":1e2}",
			want: map[string]string{"model": `"gpt-4.1-2025-04-14"`, "messages": "[ {\"role\" : \"user\",\n \"content\":\"a<b & \\u00e9\"} ]", "x_vendor": `{"deep": [1, 2.50, null]}`, "n": `1e2`},
		},
		{
			name: "responses: non-reasoning model loses reasoning", api: upstream.APIResponses, model: plainModel,
			in:   `{"model":"r","input":"hi","reasoning":{"effort":"low"},"max_output_tokens":5}`,
			want: map[string]string{"model": `"gpt-4.1-2025-04-14"`, "input": `"hi"`, "max_output_tokens": `5`},
		},
		{
			name: "responses: reasoning model keeps reasoning, loses temperature", api: upstream.APIResponses, model: reasoningModel,
			in:   `{"model":"r","input":"hi","reasoning":{"effort":"low"},"temperature":1,"max_output_tokens":5}`,
			want: map[string]string{"model": `"o4-mini"`, "input": `"hi"`, "reasoning": `{"effort":"low"}`, "max_output_tokens": `5`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := upstream.RewriteOpenAI([]byte(tt.in), tt.api, tt.model)
			require.NoError(t, err)
			assert.Equal(t, tt.want, members(t, out))
		})
	}
}

func TestRewriteOpenAIRejectsNonObjects(t *testing.T) {
	for _, in := range []string{``, `[]`, `null`, `{"model":`, `"text"`} {
		_, err := upstream.RewriteOpenAI([]byte(in), upstream.APIChatCompletions, plainModel)
		require.Error(t, err, in)
		assert.Equal(t, router.EInvalid, router.ErrorCode(err))
	}
}
