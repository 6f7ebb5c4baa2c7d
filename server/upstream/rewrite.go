package upstream

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// API names the client-facing API a call came in on.
type API string

const (
	APIChatCompletions API = "chat.completions"
	APIResponses       API = "responses"
	// APIMessages is Anthropic's Messages API (POST /v1/messages).
	APIMessages API = "messages"
)

// ourFields are request fields modelrouter reads and providers must not see.
var ourFields = []string{"routing_config"}

// parseObject reads a JSON object into raw members; values stay byte-exact.
func parseObject(raw []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, router.Errorf(router.EInvalid, "request body must be a JSON object")
	}
	return obj, nil
}

// upstreamModel is the model name the provider knows m by.
func upstreamModel(m router.Model) string {
	if m.UpstreamModel != "" {
		return m.UpstreamModel
	}
	return m.Name
}

// rewriteOpenAI prepares obj, a client's OpenAI body (Chat Completions or
// Responses) for an OpenAI-compatible upstream serving m: `model` becomes
// the upstream model name, our routing_config goes, and so do the
// parameters m cannot take (router.DroppedParams). For an OpenAI reasoning
// model on Chat Completions, max_tokens is renamed max_completion_tokens,
// and for a model marked MaxTokensOnly the other way round; on
// Responses a model that takes no reasoning effort also loses `reasoning`,
// and a non-reasoning one "reasoning.encrypted_content" from `include`. A
// reasoning effort m refuses becomes the nearest one it takes (fitEffort),
// and a model without Capabilities.Verbosity loses verbosity (Responses:
// text.verbosity).
// Every other member keeps its exact bytes (members may come out in
// another order when encoded).
func rewriteOpenAI(obj *object, api API, m router.Model) {
	dropUnsupported(obj, api, m)
	name, _ := json.Marshal(upstreamModel(m))
	obj.setString("model", name)
}

// encodeObject writes members in key order with their values' bytes as
// they are: json.Marshal would compact them and escape <, > and &, and
// the values must reach the provider exactly as the client sent them.
func encodeObject(obj map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(obj))
	size := 2
	for k, v := range obj {
		keys = append(keys, k)
		size += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		key, _ := json.Marshal(k)
		out = append(out, key...)
		out = append(out, ':')
		out = append(out, obj[k]...)
	}
	return append(out, '}')
}

// dropUnsupported removes our fields and the parameters m cannot take.
func dropUnsupported(obj *object, api API, m router.Model) {
	for _, k := range ourFields {
		obj.del(k)
	}
	for _, k := range router.DroppedParams(m) {
		obj.del(k)
	}
	switch {
	case api != APIChatCompletions:
		// Only Chat Completions has both fields.
	case m.MaxTokensOnly:
		// The mirror image of the rename below, for a provider that reads
		// only max_tokens. max_completion_tokens wins when both are set,
		// as it did for routing (the output filter and expected cost).
		if obj.has("max_completion_tokens") {
			if v := obj.get("max_completion_tokens"); string(bytes.TrimSpace(v)) != "null" {
				obj.setString("max_tokens", v)
			}
			obj.del("max_completion_tokens")
		}
	case m.Capabilities.Reasoning && servedByOpenAI(m):
		if obj.has("max_tokens") {
			if !obj.has("max_completion_tokens") {
				obj.setString("max_completion_tokens", obj.get("max_tokens"))
			}
			obj.del("max_tokens")
		}
	}
	if api == APIResponses && !m.Capabilities.TakesReasoningEffort() {
		// The Responses API's form of reasoning_effort.
		obj.del("reasoning")
	}
	if len(m.Capabilities.ReasoningEfforts) > 0 {
		fitEffort(obj, api, m.Capabilities)
	}
	if !m.Capabilities.Verbosity {
		dropVerbosity(obj, api)
	}
	if !m.Capabilities.Flex && api != APIMessages && string(bytes.TrimSpace(obj.get("service_tier"))) == `"flex"` {
		// Flex is a price and a speed, not an answer: a model without
		// it is served at the standard tier (and billed so) rather than
		// refused with a 400 that does not fail over. Other tiers go as
		// sent.
		obj.del("service_tier")
	}
	if api == APIChatCompletions && !m.Capabilities.PredictedOutputs {
		// A prediction only speeds the answer up, and OpenAI's
		// Predicted Outputs serve gpt-4o and gpt-4.1 and their minis
		// alone: the router chose the model, so another one must not
		// get a 400 for it, which does not fail over.
		obj.del("prediction")
	}
	if api == APIResponses && !m.Capabilities.Reasoning && obj.has("include") {
		// Stateless clients (store: false) ask for their reasoning back
		// encrypted; a model that does not reason refuses the request
		// ("Encrypted content is not supported with this model").
		dropInclude(obj, "reasoning.encrypted_content")
	}
	if api == APIResponses && !m.Capabilities.Reasoning && obj.has("input") {
		// A whole history sent back (store: false, or an agent SDK's
		// replay) holds the reasoning items an earlier turn's reasoning
		// model wrote; OpenAI refuses them for a model that does not
		// reason ("Reasoning input items can only be provided to a
		// reasoning or computer use model").
		dropReasoningItems(obj)
	}
}

// fitEffort replaces a reasoning effort the model refuses with the one it
// takes nearest to it (router.Capabilities.EffortFor): reasoning_effort on
// Chat Completions, reasoning.effort on Responses. The router chose the
// model, so a value only another model takes must not come back as the
// provider's 400, which does not fail over. A member it cannot read is
// left to the provider.
func fitEffort(obj *object, api API, c router.Capabilities) {
	switch api {
	case APIChatCompletions:
		if v, ok := effortValue(obj.get("reasoning_effort")); ok {
			if w := c.EffortFor(v); w != v {
				obj.setString("reasoning_effort", quoted(w))
			}
		}
	case APIResponses:
		raw := obj.get("reasoning")
		if len(raw) == 0 || raw[0] != '{' {
			return
		}
		var reasoning map[string]json.RawMessage
		if json.Unmarshal(raw, &reasoning) != nil {
			return
		}
		if v, ok := effortValue(reasoning["effort"]); ok {
			if w := c.EffortFor(v); w != v {
				// The other members (summary, ...) keep their bytes.
				reasoning["effort"] = quoted(w)
				obj.setString("reasoning", encodeObject(reasoning))
			}
		}
	}
}

// dropVerbosity removes the verbosity a model without the capability
// would refuse (OpenAI's models before GPT-5 take only medium, their
// default, and answer low or high with a 400 that does not fail over):
// `verbosity` on Chat Completions, text.verbosity on Responses, whose
// other members (format) keep their bytes. A `text` it cannot read is
// left to the provider.
func dropVerbosity(obj *object, api API) {
	switch api {
	case APIChatCompletions:
		obj.del("verbosity")
	case APIResponses:
		raw := obj.get("text")
		if len(raw) == 0 || raw[0] != '{' || !bytes.Contains(raw, []byte(`"verbosity"`)) {
			return
		}
		var text map[string]json.RawMessage
		if json.Unmarshal(raw, &text) != nil {
			return
		}
		if _, ok := text["verbosity"]; !ok {
			return
		}
		delete(text, "verbosity")
		if len(text) == 0 {
			obj.del("text")
			return
		}
		obj.setString("text", encodeObject(text))
	}
}

// effortValue reads an effort member: a non-empty string.
func effortValue(raw []byte) (string, bool) {
	var v string
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == "" {
		return "", false
	}
	return v, true
}

func quoted(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// dropInclude removes one entry from the Responses `include` list, and the
// list when nothing is left. A list it cannot read is left to the provider.
func dropInclude(obj *object, entry string) {
	var include []json.RawMessage
	if json.Unmarshal(obj.get("include"), &include) != nil {
		return
	}
	kept := slices.DeleteFunc(include, func(raw json.RawMessage) bool {
		var s string
		return json.Unmarshal(raw, &s) == nil && s == entry
	})
	if len(kept) == 0 {
		obj.del("include")
		return
	}
	out, err := json.Marshal(kept)
	if err == nil {
		obj.setString("include", out)
	}
}

// speaksOpenAIReasoning tells models that read reasoning_effort as OpenAI
// defines it (OpenAI's own, gpt-oss included) from other reasoning models
// (DeepSeek R1 and the like).
func speaksOpenAIReasoning(m router.Model) bool {
	return servedByOpenAI(m) || strings.EqualFold(m.Format, "OpenAI")
}

// servedByOpenAI tells the models OpenAI's API (or Azure OpenAI) serves,
// whose reasoning models refuse max_tokens, from every other model, gpt-oss
// included: OpenAI's open weights are served by servers of one's own
// (vLLM, Ollama, llama.cpp), which read the limit from max_tokens, and
// Ollama from nothing else.
func servedByOpenAI(m router.Model) bool {
	return m.Provider == "openai" || m.Provider == "azure"
}

// withStreamUsage asks a streaming Chat Completions upstream to send usage
// in its final chunk, so the answer's tokens can be logged. It reports
// whether it had to add the option, in which case the stream copier hides
// the usage from the client, who did not ask for it.
func withStreamUsage(obj *object) (bool, error) {
	var opts map[string]json.RawMessage
	if raw := obj.get("stream_options"); raw != nil && string(raw) != "null" {
		if err := json.Unmarshal(raw, &opts); err != nil {
			return false, router.Errorf(router.EInvalid, "stream_options must be an object")
		}
	}
	var include bool
	if raw, ok := opts["include_usage"]; ok {
		_ = json.Unmarshal(raw, &include)
	}
	if include {
		return false, nil
	}
	if opts == nil {
		opts = map[string]json.RawMessage{}
	}
	opts["include_usage"] = json.RawMessage("true")
	obj.setString("stream_options", encodeObject(opts))
	return true, nil
}
