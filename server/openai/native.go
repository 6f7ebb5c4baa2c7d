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
// than get a plain answer from it. (A JSON response_format is noted where
// parseChat reads it.) legacyMessage: a message is in the legacy function
// form (role "function", or an assistant's function_call).
func chatNativeOnly(top map[string]json.RawMessage, legacyMessage bool) []string {
	var out []string
	if nonEmpty(top["functions"]) || set(top["function_call"]) || legacyMessage {
		out = append(out, "functions and function_call (the legacy tool form)")
	}
	if decoded(top["n"], func(n int) bool { return n > 1 }) {
		out = append(out, "n > 1")
	}
	if string(top["logprobs"]) == "true" || positive(top["top_logprobs"]) {
		out = append(out, "logprobs")
	}
	if asksForAudio(top) {
		out = append(out, "audio output")
	}
	if decoded(top["logit_bias"], func(b map[string]json.RawMessage) bool { return len(b) > 0 }) {
		out = append(out, "logit_bias")
	}
	if set(top["web_search_options"]) {
		out = append(out, "web_search_options")
	}
	return append(out, moderation(top)...)
}

// moderation names OpenAI's moderation parameter where a call sets it:
// OpenAI runs the moderation model on the input and the answer and, in
// mode block, refuses what it flags. Anthropic's Messages API has no such
// member, so Claude would answer unmoderated (and without the answer's
// moderation results) while the client believes its guard is on.
func moderation(top map[string]json.RawMessage) []string {
	if set(top["moderation"]) {
		return []string{"moderation"}
	}
	return nil
}

// asksForAudio reports whether a Chat call asks for an answer in audio:
// `modalities` with "audio", or the `audio` output parameters, which
// OpenAI requires with it. `modalities: ["text"]` alone asks for text.
func asksForAudio(top map[string]json.RawMessage) bool {
	return set(top["audio"]) || decoded(top["modalities"], has("audio"))
}

// responsesNativeOnly is chatNativeOnly for a Responses request: token
// log probabilities, asked for by top_logprobs or by include, and
// moderation.
func responsesNativeOnly(top map[string]json.RawMessage) []string {
	var out []string
	if positive(top["top_logprobs"]) || decoded(top["include"], has("message.output_text.logprobs")) {
		out = append(out, "logprobs")
	}
	return append(out, moderation(top)...)
}

// set reports whether a member is present and not null.
func set(v json.RawMessage) bool { return len(v) > 0 && !jsonscan.IsNull(v) }

// positive reports whether v is a number above 0 (top_logprobs: 0 asks
// for none).
func positive(v json.RawMessage) bool {
	return decoded(v, func(n float64) bool { return n > 0 })
}

// nonEmpty reports whether v is a non-empty array (functions: [] declares
// none).
func nonEmpty(v json.RawMessage) bool {
	return decoded(v, func(a []json.RawMessage) bool { return len(a) > 0 })
}

// decoded reports whether v is set and decodes as a T that test accepts.
// An unset member is not decoded: the common request pays nothing.
func decoded[T any](v json.RawMessage, test func(T) bool) bool {
	if !set(v) {
		return false
	}
	var x T
	return json.Unmarshal(v, &x) == nil && test(x)
}

func has(s string) func([]string) bool {
	return func(list []string) bool { return slices.Contains(list, s) }
}

// storedReference names a Responses call's `conversation` (an id, or an
// object with one) or stored `prompt` template: both live in the OpenAI
// project that made them.
func storedReference(top map[string]json.RawMessage) string {
	for _, kind := range []string{"conversation", "prompt"} {
		if id := storedID(top, kind); id != "" {
			return kind + " " + shortened(id)
		}
	}
	return ""
}

// storedID is the id member kind names, as a string or an object with an
// id ("" when none).
func storedID(top map[string]json.RawMessage, kind string) string {
	v := top[kind]
	if !set(v) {
		return ""
	}
	var id string
	if json.Unmarshal(v, &id) == nil && id != "" {
		return id
	}
	var ref struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(v, &ref) == nil {
		return ref.ID
	}
	return ""
}
