package openai

import (
	"encoding/json"
	"slices"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// chatNativeOnly lists what a Chat Completions request asks for that the
// translation to Anthropic's Messages API cannot carry (see
// [Request.NativeOnly]): dropped, each would change the answer the client
// asked for, so such a request leaves Claude out before routing rather
// than get a plain answer from it.
func chatNativeOnly(top map[string]json.RawMessage, msgs []chatMessage) []string {
	var out []string
	if set(top["functions"]) || set(top["function_call"]) ||
		slices.ContainsFunc(msgs, func(m chatMessage) bool { return m.Role == "function" || m.LegacyCall }) {
		out = append(out, "functions and function_call (the legacy tool form)")
	}
	var n int
	if v := top["n"]; set(v) && json.Unmarshal(v, &n) == nil && n > 1 {
		out = append(out, "n > 1")
	}
	var rf struct {
		Type string `json:"type"`
	}
	if v := top["response_format"]; set(v) && json.Unmarshal(v, &rf) == nil && rf.Type != "" && rf.Type != "text" {
		out = append(out, "response_format "+rf.Type)
	}
	if isTrue(top["logprobs"]) || set(top["top_logprobs"]) {
		out = append(out, "logprobs")
	}
	var modalities []string
	if set(top["audio"]) || set(top["modalities"]) && json.Unmarshal(top["modalities"], &modalities) == nil && slices.Contains(modalities, "audio") {
		out = append(out, "audio output")
	}
	var bias map[string]json.RawMessage
	if v := top["logit_bias"]; set(v) && json.Unmarshal(v, &bias) == nil && len(bias) > 0 {
		out = append(out, "logit_bias")
	}
	if set(top["web_search_options"]) {
		out = append(out, "web_search_options")
	}
	return out
}

// responsesNativeOnly is chatNativeOnly for a Responses request: token
// log probabilities, asked for by top_logprobs or by include.
func responsesNativeOnly(top map[string]json.RawMessage) []string {
	var include []string
	if set(top["top_logprobs"]) || set(top["include"]) && json.Unmarshal(top["include"], &include) == nil && slices.Contains(include, "message.output_text.logprobs") {
		return []string{"logprobs"}
	}
	return nil
}

// set reports whether a member is present and not null.
func set(v json.RawMessage) bool { return len(v) > 0 && !jsonscan.IsNull(v) }

func isTrue(v json.RawMessage) bool { return string(v) == "true" }
