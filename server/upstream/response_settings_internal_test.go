package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A response Claude wrote shows the call's settings, and OpenAI's defaults
// for those the call left out or set to null.
func TestResponseSettingsRepeatTheCallOrOpenAIsDefaults(t *testing.T) {
	read := func(body string) map[string]json.RawMessage {
		out, err := json.Marshal(settingsOf([]byte(body)))
		require.NoError(t, err)
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(out, &m))
		return m
	}
	d := read(`{"model":"m","input":"hi","temperature":null}`)
	for member, want := range map[string]string{
		"instructions": "null", "metadata": "{}", "parallel_tool_calls": "true", "temperature": "1",
		"tool_choice": `"auto"`, "tools": "[]", "top_p": "1", "max_output_tokens": "null",
		"store": "true", "truncation": `"disabled"`, "top_logprobs": "0", "max_tool_calls": "null",
		"user": "null", "safety_identifier": "null", "prompt_cache_key": "null",
		"prompt_cache_retention": "null", "service_tier": `"auto"`,
	} {
		assert.JSONEq(t, want, string(d[member]), member)
	}
	set := read(`{"model":"m","input":"hi","instructions":"Be brief.","metadata":{"k":"v"},"parallel_tool_calls":false,
		"temperature":0.2,"top_p":0.9,"tool_choice":"required","tools":[{"type":"function","name":"f"}],"max_output_tokens":77,
		"store":false,"truncation":"auto","top_logprobs":0,"max_tool_calls":2,"user":"u","safety_identifier":"s","prompt_cache_key":"k",
		"prompt_cache_retention":"24h","service_tier":"flex"}`)
	for member, want := range map[string]string{
		"instructions": `"Be brief."`, "metadata": `{"k":"v"}`, "parallel_tool_calls": "false", "temperature": "0.2",
		"top_p": "0.9", "tool_choice": `"required"`, "tools": `[{"type":"function","name":"f"}]`, "max_output_tokens": "77",
		"store": "false", "truncation": `"auto"`, "top_logprobs": "0", "max_tool_calls": "2",
		"user": `"u"`, "safety_identifier": `"s"`, "prompt_cache_key": `"k"`,
		"prompt_cache_retention": `"24h"`, "service_tier": `"flex"`,
	} {
		assert.JSONEq(t, want, string(set[member]), member)
	}
	assert.NotContains(t, set, "routing_config")
}
