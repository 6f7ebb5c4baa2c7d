package upstream

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// What a translation carries of a client's top-level parameters, for
// routing_config.require_parameters: a model reached through a translation
// takes only what reaches its provider as the client sent it.
//
// A translation decodes the client's body into its request struct
// (chatRequest, responsesRequest, messagesRequest) and builds the
// provider's body from that alone, so the struct's members are all it
// reads: every other member is not sent. The lists are derived from those
// structs rather than kept beside them, so a member a translation learns
// to carry is carried here too. changed names the members a translation
// reads but does not always pass on as sent, through the functions the
// translation itself calls; why, where set, says why one of them is not
// ("" where there is no more to say than that).
type translation struct {
	reads   map[string]bool
	changed func(top map[string]json.RawMessage, m router.Model) []string
	why     func(top map[string]json.RawMessage, m router.Model, param string) string
}

var (
	chatToAnthropic      = translation{reads: jsonMembers[chatRequest](), changed: chatChangedForClaude}
	responsesToAnthropic = translation{reads: withStructuredOutput(jsonMembers[responsesRequest]()), changed: responsesChangedForClaude}
	messagesToChat       = translation{reads: jsonMembers[messagesRequest](), changed: messagesChangedForChat, why: messagesWhyForChat}
)

// translationFor returns the translation a call of api takes to a provider
// of kind, nil when the provider speaks api: as Forwarder sends it, an
// Anthropic provider gets Chat Completions and Responses calls translated,
// any other provider Messages calls.
func translationFor(api API, kind string) *translation {
	switch {
	case api == APIMessages && kind == KindAnthropic, api != APIMessages && kind != KindAnthropic:
		return nil
	case api == APIMessages:
		return &messagesToChat
	case api == APIResponses:
		return &responsesToAnthropic
	}
	return &chatToAnthropic
}

// Drops returns which of params, the top-level members a call of api sets
// (raw is its body), do not reach m's provider as sent: those the
// translation into the provider's API does not read, and those it changes
// (Claude's temperature is capped at 1, for one). It is nil when m's
// provider speaks api (the provider is the judge of what it takes; the
// router's parameter rules say what the gateway drops for m), or is not
// configured. why, "" for none, says why the first of them the
// translation can say more of is not carried: a Messages call's schema
// breaks a rule of OpenAI's strict mode, named. The server hands both to
// the router, which with require_parameters leaves m out for them.
func (ps Providers) Drops(m router.Model, api API, raw []byte, params []string) (lost []string, why string) {
	p, ok := ps.Resolve(m)
	if !ok || len(params) == 0 {
		return nil, ""
	}
	t := translationFor(api, p.Kind)
	if t == nil {
		return nil, ""
	}
	top, err := parseObject(raw)
	if err != nil {
		return nil, ""
	}
	changed := t.changed(top, m)
	for _, k := range params {
		if !t.reads[k] || slices.Contains(changed, k) {
			lost = append(lost, k)
			if why == "" && t.why != nil {
				why = t.why(top, m, k)
			}
		}
	}
	return lost, why
}

// DerivedEffort returns the reasoning effort a call of api (raw is its
// body) reaches m's provider with where the translation derives it from
// other members: a Messages call's thinking or output_config.effort, for
// an OpenAI-compatible reasoning model (reasoningEffort). rewriteOpenAI
// then maps it to the nearest value m takes, as it maps a client's own
// reasoning_effort, so the server hands it to the router for
// require_parameters to hold to m's efforts. "" where the call's way to
// m derives none.
func (ps Providers) DerivedEffort(m router.Model, api API, raw []byte) string {
	p, ok := ps.Resolve(m)
	if !ok || translationFor(api, p.Kind) != &messagesToChat {
		return ""
	}
	top, err := parseObject(raw)
	if err != nil {
		return ""
	}
	return reasoningEffort(top["thinking"], top["output_config"], m)
}

// ReadsThinking reports whether a Messages call's thinking member reaches
// m as sent: its provider speaks the Messages API, so the body goes
// untranslated and m thinks as the call asks (Claude). A translation to
// Chat Completions turns thinking into a reasoning_effort instead
// (DerivedEffort), or drops it. The server tells the router, whose expected
// cost adds the thinking such a model is asked for.
func (ps Providers) ReadsThinking(m router.Model, api API) bool {
	p, ok := ps.Resolve(m)
	return ok && api == APIMessages && translationFor(api, p.Kind) == nil
}

// DefaultOutput returns the max_tokens a call of api that sets no output
// limit reaches m's provider with: the default the translation into
// Anthropic's Messages API sends, which requires one (defaultMaxTokens);
// 0 where the call's way to m sends none (the provider speaks api, or is
// not configured). The server hands it to the router, whose context-fit
// filter counts it beside the prompt: Anthropic refuses a prompt plus
// max_tokens over the window.
func (ps Providers) DefaultOutput(m router.Model, api API) int {
	p, ok := ps.Resolve(m)
	if !ok {
		return 0
	}
	if t := translationFor(api, p.Kind); t != &chatToAnthropic && t != &responsesToAnthropic {
		return 0
	}
	return defaultMaxTokens(m)
}

// withStructuredOutput adds to what the Responses translation reads
// "response_format", the name the router's parameter rules know a
// text.format json_schema by: the translation carries it as Claude's
// output_config.format (claudeFormat).
func withStructuredOutput(reads map[string]bool) map[string]bool {
	reads["response_format"] = true
	return reads
}

// jsonMembers lists the JSON names of T's fields.
func jsonMembers[T any]() map[string]bool {
	t := reflect.TypeFor[T]()
	out := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

func chatChangedForClaude(top map[string]json.RawMessage, m router.Model) []string {
	out := samplingChangedForClaude(top)
	if chatLoosensStrictTool(top, m) {
		out = append(out, "tools") // a strict function goes without strict
	}
	if v := top["stop"]; set(v) {
		// stopSequences leaves out blank entries, which Anthropic refuses.
		var one string
		var many []string
		if json.Unmarshal(v, &one) == nil {
			many = []string{one}
		} else if json.Unmarshal(v, &many) != nil {
			return out
		}
		if kept, err := stopSequences(v); err == nil && len(kept) < len(many) {
			out = append(out, "stop")
		}
	}
	return out
}

func responsesChangedForClaude(top map[string]json.RawMessage, m router.Model) []string {
	out := samplingChangedForClaude(top)
	if responsesLoosensStrictTool(top, m) {
		out = append(out, "tools") // a strict function goes without strict
	}
	// Of `text`, only format is read (text.verbosity has no Messages form).
	var text map[string]json.RawMessage
	if set(top["text"]) && json.Unmarshal(top["text"], &text) == nil {
		for k, v := range text {
			if k != "format" && set(v) {
				return append(out, "text")
			}
		}
	}
	return out
}

// samplingChangedForClaude names temperature and top_p where
// samplingForClaude does not pass them on as sent.
func samplingChangedForClaude(top map[string]json.RawMessage) []string {
	var temperature *float64
	if set(top["temperature"]) && json.Unmarshal(top["temperature"], &temperature) != nil {
		return nil // refused by the translation, not dropped
	}
	topP := top["top_p"]
	if !set(topP) {
		topP = nil
	}
	gotT, gotP := samplingForClaude(temperature, topP)
	var out []string
	if temperature != nil && (gotT == nil || *gotT != *temperature) {
		out = append(out, "temperature")
	}
	if topP != nil && gotP == nil {
		out = append(out, "top_p")
	}
	return out
}

// messagesChangedForChat names what MessagesToChat reads but m does not
// get: thinking and output_config's effort become reasoning_effort only for
// a model that takes it, output_config's format becomes a response_format
// that holds the answer to its schema only in strict mode (see
// responseFormat) and only for a model with structured output, no other
// member of output_config is sent, stop_sequences become stop, which
// rewriteOpenAI then drops for a model that refuses it, and a strict tool
// is strict there only where strictTool says.
func messagesChangedForChat(top map[string]json.RawMessage, m router.Model) []string {
	var out []string
	thinking, oc := top["thinking"], top["output_config"]
	if set(thinking) && thinkingOn(thinking) && reasoningEffort(thinking, oc, m) == "" {
		out = append(out, "thinking")
	}
	var config map[string]json.RawMessage
	if set(oc) && json.Unmarshal(oc, &config) == nil {
		for k, v := range config {
			carried := k == "effort" && reasoningEffort(nil, oc, m) != "" ||
				k == "format" && m.Capabilities.StructuredOutput && strictFormat(oc)
			if set(v) && !carried {
				out = append(out, "output_config")
				break
			}
		}
	}
	if set(top["output_format"]) && !(m.Capabilities.StructuredOutput && strictFormat(formatConfig(oc, top["output_format"]))) {
		// Read only where output_config has no format, and then carried
		// as that format would be.
		out = append(out, "output_format")
	}
	if set(top["stop_sequences"]) && slices.Contains(router.DroppedParams(m), "stop") {
		out = append(out, "stop_sequences")
	}
	if i, _ := looseStrictTool(top, m); i >= 0 {
		out = append(out, "tools") // a strict tool goes without strict
	}
	return out
}

// looseStrictTool returns the first of a Messages call's tools that asks
// for strict but reaches m without it (strictTool), and its index; -1 for
// none.
func looseStrictTool(top map[string]json.RawMessage, m router.Model) (int, messagesTool) {
	var tools []messagesTool
	if !set(top["tools"]) || json.Unmarshal(top["tools"], &tools) != nil {
		return -1, messagesTool{}
	}
	i := slices.IndexFunc(tools, func(t messagesTool) bool { return t.Strict && !strictTool(t, m) })
	if i < 0 {
		return -1, messagesTool{}
	}
	return i, tools[i]
}

// messagesWhyForChat says why output_config is not carried where its
// format is the reason: a schema outside OpenAI's strict mode goes
// non-strict (see responseFormat), and the rule it breaks is what the
// client can change. So for tools: which strict tool goes without strict,
// and why. Of the other reasons (an effort the model does not take,
// another member) the parameter's name says enough.
func messagesWhyForChat(top map[string]json.RawMessage, m router.Model, param string) string {
	if param == "tools" {
		return looseStrictToolWhy(top, m)
	}
	if param != "output_config" && param != "output_format" || !m.Capabilities.StructuredOutput {
		return ""
	}
	where, oc := "output_config.format.schema: ", top["output_config"]
	if param == "output_format" {
		where, oc = "output_format.schema: ", formatConfig(oc, top["output_format"])
	}
	if f := responseFormat(oc); f != nil && f.problem != "" {
		return where + f.problem
	}
	return ""
}

// looseStrictToolWhy says which strict tool reaches m without strict and
// why: m has no structured output (OpenAI's strict mode), or the rule of
// strict mode its schema breaks. "" when every strict tool stays strict.
func looseStrictToolWhy(top map[string]json.RawMessage, m router.Model) string {
	i, t := looseStrictTool(top, m)
	switch {
	case i < 0:
		return ""
	case !m.Capabilities.StructuredOutput:
		return fmt.Sprintf("tools[%d].strict: the model has no structured output, which a strict function needs", i)
	}
	_, problem := strictSchema(t.InputSchema)
	return fmt.Sprintf("tools[%d].input_schema: %s", i, problem)
}

// set reports whether a member is present and not null.
func set(v json.RawMessage) bool { return len(v) > 0 && !jsonscan.IsNull(v) }

// strictFormat reports whether output_config's format reaches a Chat
// Completions model as a strict response_format, which holds the answer to
// the schema as Claude does.
func strictFormat(outputConfig json.RawMessage) bool {
	f := responseFormat(outputConfig)
	return f != nil && f.JSONSchema.Strict
}
