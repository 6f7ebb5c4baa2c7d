package upstream

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// chatCompletion is the part of a chat.completion answer a Messages
// client gets.
type chatCompletion struct {
	ID      string `json:"id"`
	Choices []struct {
		Message struct {
			Content   chatContent    `json:"content"`
			Refusal   *string        `json:"refusal"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
		namedStop
	} `json:"choices"`
	Usage       json.RawMessage `json:"usage"`
	ServiceTier json.RawMessage `json:"service_tier"`
}

// messageBlock is a content block of a Messages answer.
type messageBlock struct {
	Type  string          `json:"type"`
	Text  *string         `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
}

// messageUsage is Anthropic's usage object.
type messageUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	// OutputTokensDetails breaks the output down as Anthropic does: the
	// reasoning tokens among it are its thinking_tokens. Left out for an
	// answer without reasoning.
	OutputTokensDetails *thinkingTokens `json:"output_tokens_details,omitempty"`
}

type thinkingTokens struct {
	ThinkingTokens int `json:"thinking_tokens"`
}

// toMessageUsage reports u the Anthropic way, where input_tokens leave
// out the cache reads and the cache writes (a proxy in front of Claude
// reports them) that OpenAI's usage counts among prompt tokens: Anthropic's
// whole prompt is the sum of the three, and clients price each apart.
func toMessageUsage(u router.Usage) messageUsage {
	mu := messageUsage{
		InputTokens:              max(u.PromptTokens-u.CachedTokens-u.CacheWriteTokens, 0),
		CacheCreationInputTokens: u.CacheWriteTokens,
		CacheReadInputTokens:     u.CachedTokens,
		OutputTokens:             u.CompletionTokens,
	}
	if u.ReasoningTokens > 0 {
		mu.OutputTokensDetails = &thinkingTokens{u.ReasoningTokens}
	}
	return mu
}

type messageAnswer struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []messageBlock `json:"content"`
	StopReason   string         `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        messageUsage   `json:"usage"`
}

// chatToMessage turns a chat.completion into an Anthropic message with
// `model` set to m's ID and details added; request is the client's
// Messages body, whose stop_sequences the answer may have stopped at. The
// usage returned is the provider's; the message reports estimate where
// it reported none.
func chatToMessage(raw []byte, m router.Model, details jsonAppender, request []byte, estimate router.Usage) ([]byte, router.Usage, error) {
	var in chatCompletion
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, router.Usage{}, fmt.Errorf("answer is not a chat completion")
	}
	if len(in.Choices) == 0 {
		return nil, router.Usage{}, fmt.Errorf("answer has no choices")
	}
	usage, reported := shownUsage(in.Usage, in.ServiceTier, estimate)
	choice := in.Choices[0]
	// The answer's text only: a reasoning model's thinking parts are not
	// its words (chatContent).
	text := choice.Message.Content.Text
	if r := choice.Message.Refusal; text == "" && r != nil {
		text = *r
	}
	out := messageAnswer{
		ID: messageID(in.ID), Type: "message", Role: "assistant", Model: modelID(m),
		Content: []messageBlock{},
		Usage:   toMessageUsage(reported),
	}
	// No empty or whitespace-only text block ("\n\n" before tool calls):
	// Anthropic refuses one in a request, and the client sends this turn
	// back with its next one.
	if strings.TrimSpace(text) != "" {
		out.Content = append(out.Content, messageBlock{Type: "text", Text: &text})
	}
	calls := 0
	for _, tc := range choice.Message.ToolCalls {
		if tc.Function.Name == "" {
			// As in a stream: a call without a name cannot be run, and
			// Anthropic refuses it when the client sends it back.
			continue
		}
		calls++
		out.Content = append(out.Content, messageBlock{
			Type: "tool_use", ID: toolUseID(tc.ID), Name: tc.Function.Name, Input: toolInput(tc.Function.Arguments),
		})
	}
	refused := choice.Message.Refusal != nil && *choice.Message.Refusal != ""
	out.StopReason = toolStopReason(refusalStop(stopReason(choice.FinishReason), refused), calls > 0)
	out.StopReason, out.StopSequence = sequenceStop(out.StopReason, choice.sequence(request))
	body, err := marshalPlain(out)
	return withMember(body, "model_selection_details", details), usage, err
}

// toolInput parses a tool call's arguments. Models do write broken JSON
// now and then; Anthropic's input must be an object, so such arguments
// become {} rather than failing an answer that is otherwise whole.
func toolInput(args string) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
		return json.RawMessage("{}")
	}
	return compactJSON(json.RawMessage(args))
}

// stopReason maps OpenAI's finish_reason to Anthropic's stop_reason.
func stopReason(finish string) string {
	switch finish {
	case "length":
		return "max_tokens"
	case "tool_calls", "function_call":
		return "tool_use"
	case "content_filter":
		return "refusal"
	}
	return "end_turn"
}

// refusalStop is refusal for an answer the model refused (OpenAI's
// `refusal`, which ends with finish_reason "stop"), as Claude's refusal
// stops: clients branch on stop_reason, and a structured output call would
// otherwise read the refusal's words as its JSON.
func refusalStop(stop string, refused bool) string {
	if refused && stop == "end_turn" {
		return "refusal"
	}
	return stop
}

// namedStop is where an OpenAI-compatible server names the stop string
// its answer stopped at, which OpenAI's API does not: vLLM's and
// TensorRT-LLM's stop_reason, SGLang's matched_stop (each a string, or the
// id of a stop token).
type namedStop struct {
	StopReason  json.RawMessage `json:"stop_reason"`
	MatchedStop json.RawMessage `json:"matched_stop"`
}

// sequence is the client's stop sequence the server names, "" for none.
// Only a string among the request's stop_sequences is one: a server may
// stop at strings of its own. The request is read only then.
func (n namedStop) sequence(request []byte) string {
	for _, raw := range []json.RawMessage{n.StopReason, n.MatchedStop} {
		var named string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &named) != nil || named == "" {
			continue
		}
		var body struct {
			StopSequences []string `json:"stop_sequences"`
		}
		if obj, err := scanValidObject(request); err == nil && json.Unmarshal(obj.get("stop_sequences"), &body.StopSequences) == nil &&
			slices.Contains(body.StopSequences, named) {
			return named
		}
	}
	return ""
}

// sequenceStop is Anthropic's stop for an answer that ended at the client's
// stop sequence seq: stop_reason "stop_sequence" with the sequence, as
// Claude reports it. An answer that stopped otherwise (a tool call, its
// length) keeps its stop, and stop_sequence null.
func sequenceStop(stop, seq string) (string, *string) {
	if stop != "end_turn" || seq == "" {
		return stop, nil
	}
	return "stop_sequence", &seq
}

// toolStopReason is tool_use for an answer that calls tools and otherwise
// just ended (some OpenAI-compatible servers finish tool calls with
// "stop", and agent loops wait for tool_use to run them), and end_turn
// for a "tool_calls" finish with no call to run (a server's tool parser
// failed, or its only call had no name): Anthropic sends tool_use only
// with the calls, and agent loops look for them.
func toolStopReason(stop string, calls bool) string {
	switch {
	case calls && stop == "end_turn":
		return "tool_use"
	case !calls && stop == "tool_use":
		return "end_turn"
	}
	return stop
}

// messageID prefixes the upstream's id the way Anthropic ids look, or
// makes one up when there is none.
func messageID(upstream string) string {
	if upstream == "" {
		return "msg_" + randomID()
	}
	return "msg_" + upstream
}

// toolUseID keeps the upstream's call id, which the client sends back in
// its tool_result, as Anthropic takes it (anthropicToolID: the turn may go
// to Claude next, byte for byte), or makes one up when a server sent none.
func toolUseID(id string) string {
	if id == "" {
		return "toolu_" + randomID()
	}
	return anthropicToolID(id)
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// anthropicError is Anthropic's error body.
func anthropicError(typ, message string) []byte {
	b, _ := marshalPlain(map[string]any{
		"type": "error", "error": map[string]string{"type": typ, "message": message},
	})
	return b
}

// messagesErrorBody is a provider's 4xx for a Messages client: an
// Anthropic provider's own error as it came, an OpenAI-compatible one's
// message in Anthropic's shape, anything else wrapped.
func (a *attempt) messagesErrorBody(status int, raw []byte) []byte {
	e, anthropicShape, ok := readProviderError(raw)
	switch {
	case ok && a.provider.Kind == KindAnthropic && anthropicShape:
		return []byte(a.f.redact(string(raw)))
	case ok:
		return anthropicError(apierr.AnthropicType(status), a.f.redact(e.Message))
	}
	if msg, _, ok := foreignError(raw); ok {
		return anthropicError(apierr.AnthropicType(status), a.f.redact(msg))
	}
	return anthropicError(apierr.AnthropicType(status), a.wrapErrorText(status, raw))
}
