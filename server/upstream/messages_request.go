package upstream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// rewriteMessages prepares a client's Anthropic Messages body for an
// Anthropic provider serving m: `model` becomes the upstream name, our
// routing_config and the parameters m cannot take go, and every other
// member keeps its exact bytes. max_tokens stays as it is: the Messages
// API has no max_completion_tokens.
func rewriteMessages(obj *object, m router.Model) {
	dropUnsupported(obj, APIMessages, m)
	if thinkingLoopWithoutThinking(obj) {
		// Anthropic refuses such a body with a 400, which would not fail
		// over: this turn is answered without extended thinking.
		obj.del("thinking")
	}
	name, _ := json.Marshal(upstreamModel(m))
	obj.setString("model", name)
}

// thinkingOn reads a `thinking` member: enabled (or adaptive), not
// disabled. Its type is read as decoding it into a struct did (the last of
// duplicates, a null leaving the one before it, anything but an object or
// a string type refused), by exact name as Anthropic reads it.
func thinkingOn(raw []byte) bool {
	typ, ok := typeOf(raw)
	return ok && typ != nil && !isString(typ, "") && !isString(typ, "disabled")
}

// thinkingLoopWithoutThinking reports a body with thinking enabled whose
// last assistant turn calls tools without starting with a thinking block:
// Anthropic requires one there ("a final assistant message must start with
// a thinking block"), and a turn another model answered (a failover, a
// session that moved) has none to give.
//
// Claude Code sends thinking on most calls, each the whole session: the
// turns are walked in place (jsonscan), where decoding them copied every
// turn's content: 3.3 MiB, 2,439 allocations and 35-40 ms for a 2.9 MB
// session, now none and 0.55-1.0 ms (BenchmarkThinkingLoopWithoutThinking).
// Names match exactly, as Anthropic reads them. A list decoding refused (a
// turn not an object, a role or a block's type not a string) reads as no
// tool loop, as it did: Anthropic refuses that body for itself.
func thinkingLoopWithoutThinking(obj *object) bool {
	if raw := obj.get("thinking"); raw == nil || !thinkingOn(raw) {
		return false
	}
	content, ok := lastAssistantContent(obj.get("messages"))
	return ok && callsToolsWithoutThinkingFirst(content)
}

// lastAssistantContent returns the content of the last turn of msgs whose
// role is assistant (nil when there is none); ok is false when msgs is not
// a list of turns.
func lastAssistantContent(msgs []byte) (content []byte, ok bool) {
	bad := false
	isArray := jsonscan.EachElement(msgs, func(m []byte) bool {
		if jsonscan.IsNull(m) {
			return true
		}
		var role, c []byte
		isObject := jsonscan.EachMember(m, func(k, v []byte) bool {
			switch {
			case jsonscan.KeyIs(k, "role"):
				switch {
				case v[0] == '"':
					role = v
				case !jsonscan.IsNull(v): // a null leaves the role before it
					bad = true
					return false
				}
			case jsonscan.KeyIs(k, "content"):
				c = v
			}
			return true
		})
		if !isObject || bad {
			bad = true
			return false
		}
		if isString(role, "assistant") {
			content = c
		}
		return true
	})
	return content, isArray && !bad
}

// callsToolsWithoutThinkingFirst reports whether the content of an
// assistant turn is blocks that call a tool, the first of them not a
// thinking block. A string, an empty list or one decoding refused calls
// none.
func callsToolsWithoutThinkingFirst(content []byte) bool {
	n, calls, thinksFirst, bad := 0, false, false, false
	isArray := jsonscan.EachElement(content, func(b []byte) bool {
		typ, ok := typeOf(b)
		if !ok {
			bad = true
			return false
		}
		if typ != nil {
			if n == 0 {
				thinksFirst = isString(typ, "thinking") || isString(typ, "redacted_thinking")
			}
			calls = calls || isString(typ, "tool_use") || isString(typ, "server_tool_use")
		}
		n++
		return true
	})
	return isArray && !bad && n > 0 && calls && !thinksFirst
}

// typeOf returns the string literal of an object's last non-null `type`,
// nil when it has none or is null; ok is false when v is neither an object
// nor null, or its type is neither a string nor null.
func typeOf(v []byte) (typ []byte, ok bool) {
	if jsonscan.IsNull(v) {
		return nil, true
	}
	ok = true
	isObject := jsonscan.EachMember(v, func(k, t []byte) bool {
		if !jsonscan.KeyIs(k, "type") {
			return true
		}
		switch {
		case t[0] == '"':
			typ = t
		case !jsonscan.IsNull(t):
			ok = false
			return false
		}
		return true
	})
	return typ, ok && isObject
}

// messagesRequest is the part of a Messages body that has a Chat
// Completions equivalent. Everything else is not sent: top_k has no
// OpenAI counterpart. `thinking` becomes reasoning_effort for OpenAI's
// reasoning models (see reasoningEffort), output_config's effort too and
// its format response_format (see responseFormat).
type messagesRequest struct {
	// Thinking and OutputConfig are read leniently (reasoningEffort): a
	// shape we do not know asks for no effort, it does not fail the call.
	Thinking     json.RawMessage `json:"thinking"`
	OutputConfig json.RawMessage `json:"output_config"`
	// OutputFormat is the structured outputs beta's first form of
	// output_config.format, which Anthropic still takes (formatConfig).
	OutputFormat json.RawMessage `json:"output_format"`
	System       json.RawMessage `json:"system"`
	// Messages are read by messagesTurns: decoded as []messagesTurn,
	// each turn's content was copied out of the body and the list grown
	// turn by turn, several times the size of a long conversation.
	Messages      readApart       `json:"messages"`
	MaxTokens     *int            `json:"max_tokens"`
	Temperature   json.RawMessage `json:"temperature"`
	TopP          json.RawMessage `json:"top_p"`
	StopSequences []string        `json:"stop_sequences"`
	Stream        bool            `json:"stream"`
	Tools         []messagesTool  `json:"tools"`
	ToolChoice    *messagesChoice `json:"tool_choice"`
	Metadata      *messagesMeta   `json:"metadata"`
}

type messagesMeta struct {
	UserID string `json:"user_id"`
}

type messagesThinking struct {
	Type         string  `json:"type"`
	BudgetTokens float64 `json:"budget_tokens"`
}

// Thinking budgets at which reasoning_effort steps up: Claude Code's
// "think" (4,000 tokens) is low, "think hard" (10,000) medium and
// "ultrathink" (31,999) high.
const (
	mediumEffortBudget = 4096
	highEffortBudget   = 16384
)

// reasoningEffort is the reasoning_effort that asks m for about the
// reasoning a Messages call asks Claude for: output_config.effort when set,
// else by the budget of enabled thinking, at most high (no budget is
// documented as more), and high for adaptive thinking (the effort it
// defaults to). Anthropic's efforts (low, medium, high, xhigh, max)
// are OpenAI's by name and in the same order, so each goes as itself, and
// rewriteOpenAI sends m the nearest it takes (router's EffortFor): max is
// xhigh for a model whose highest is xhigh, high for one whose highest is
// high. It is "" when the call asks for neither, or when m is not a
// reasoning model that reads reasoning_effort as OpenAI defines it (other
// providers take other values, or refuse the field).
func reasoningEffort(thinking, outputConfig json.RawMessage, m router.Model) string {
	if !m.Capabilities.TakesReasoningEffort() || !speaksOpenAIReasoning(m) {
		return ""
	}
	var oc struct {
		Effort string `json:"effort"`
	}
	if json.Unmarshal(outputConfig, &oc) == nil {
		switch oc.Effort {
		case "low", "medium", "high", "xhigh", "max":
			return oc.Effort
		}
	}
	var t messagesThinking
	if json.Unmarshal(thinking, &t) != nil {
		return ""
	}
	switch t.Type {
	case "adaptive":
		// Adaptive thinking without an effort thinks at Anthropic's
		// default effort, high, where Claude "almost always thinks".
		// Left to the model's default, gpt-5.2 (whose default is none)
		// would not reason at all.
		return "high"
	case "enabled":
	default:
		return ""
	}
	switch {
	case t.BudgetTokens >= highEffortBudget:
		return "high"
	case t.BudgetTokens >= mediumEffortBudget:
		return "medium"
	}
	return "low"
}

// readApart is a member the decode leaves to another reader: declared,
// so that the member counts as one the translation reads (carried.go).
type readApart struct{}

func (*readApart) UnmarshalJSON([]byte) error { return nil }

type messagesTurn struct {
	Role    string
	Content json.RawMessage // a slice of the body
}

// messagesTurns reads the messages of a body decodeRequest accepted (so
// valid JSON): each turn's role, and its content as a slice of raw. It
// refuses what decoding them as []messagesTurn refused, as it did; a null
// or absent member reads as nothing, as there. Keys match exactly, where
// encoding/json also took "Role": openai.Parse, which reads them so,
// refuses a turn without "role" or "content" before any translation.
func messagesTurns(raw []byte) ([]messagesTurn, error) {
	var members [16]jsonscan.Member // most bodies' top-level members, on the stack
	top, _ := jsonscan.ParseObjectInto(members[:0], raw)
	list := top.Get("messages")
	if jsonscan.IsNull(list) {
		return nil, nil
	}
	elems, ok := jsonscan.Elements(list)
	if !ok {
		return nil, &router.Error{Code: router.EInvalid, Param: "messages", Message: "messages must be an array"}
	}
	turns := make([]messagesTurn, len(elems))
	var obj jsonscan.Object // each turn's members in turn
	for i, e := range elems {
		if jsonscan.IsNull(e) {
			continue
		}
		if obj, ok = jsonscan.ParseObjectInto(obj, e); !ok {
			return nil, &router.Error{Code: router.EInvalid, Param: "messages", Message: "messages must be an object"}
		}
		// The usual roles as constants, not a copy a turn.
		switch role := obj.Get("role"); {
		case string(role) == `"user"`:
			turns[i].Role = "user"
		case string(role) == `"assistant"`:
			turns[i].Role = "assistant"
		case !jsonscan.IsNull(role):
			if turns[i].Role, ok = jsonscan.Unquote(role); !ok {
				return nil, &router.Error{Code: router.EInvalid, Param: "messages.role", Message: "messages.role must be a string"}
			}
		}
		turns[i].Content = obj.Get("content")
	}
	return turns, nil
}

type messagesTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
	// Strict asks Anthropic to hold the tool's input to its schema
	// (strictTool).
	Strict bool `json:"strict"`
}

type messagesChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use"`
}

// chatOut is the Chat Completions body MessagesToChat writes, but for
// its messages (chatMessages), which go after the model.
type chatOut struct {
	Model             string          `json:"model"`
	MaxTokens         *int            `json:"max_tokens,omitempty"`
	Temperature       json.RawMessage `json:"temperature,omitempty"`
	TopP              json.RawMessage `json:"top_p,omitempty"`
	Stop              []string        `json:"stop,omitempty"`
	Stream            bool            `json:"stream,omitempty"`
	Tools             []chatOutTool   `json:"tools,omitempty"`
	ToolChoice        any             `json:"tool_choice,omitempty"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls,omitempty"`
	User              string          `json:"user,omitempty"`
	ReasoningEffort   string          `json:"reasoning_effort,omitempty"`
	ResponseFormat    *chatFormat     `json:"response_format,omitempty"`
}

// chatFormat is a Chat Completions json_schema response_format.
type chatFormat struct {
	Type       string `json:"type"`
	JSONSchema struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict bool            `json:"strict"`
	} `json:"json_schema"`
	// problem is the rule of strict mode the schema breaks, "" for none.
	problem string
}

// formatName names the schema of a translated output_config.format, which
// Chat Completions requires and Anthropic's format does not have (the name
// the AI SDK gives a schema it is not told a name for).
const formatName = "response"

// responseFormat is output_config.format, Anthropic's structured outputs
// ({"type": "json_schema", "schema": {...}}), as Chat Completions'
// json_schema response_format; nil when the call sets none (or one of
// another type, which the server sends to Claude only). Anthropic always
// holds the answer to the schema; OpenAI does so only in strict mode, which
// it refuses (a 400 that would not fail over) for a schema outside its
// strict rules (see strictSchemaProblem). Such a schema goes without
// strict: the model is given it, not held to it. One that is outside them
// only for its enums' missing types goes strict with them written in
// (strictSchema).
func responseFormat(outputConfig json.RawMessage) *chatFormat {
	var oc struct {
		Format *struct {
			Type   string          `json:"type"`
			Schema json.RawMessage `json:"schema"`
		} `json:"format"`
	}
	if json.Unmarshal(outputConfig, &oc) != nil || oc.Format == nil || oc.Format.Type != "json_schema" || !set(oc.Format.Schema) {
		return nil
	}
	f := &chatFormat{Type: "json_schema"}
	f.JSONSchema.Name = formatName
	f.JSONSchema.Schema, f.problem = strictSchema(oc.Format.Schema)
	f.JSONSchema.Strict = f.problem == ""
	return f
}

// formatConfig is the output_config whose format responseFormat reads:
// the call's own, or, where it sets no format, one holding the top-level
// output_format, the structured outputs beta's first form of the same
// format (deprecated, still taken by Anthropic and sent by its SDKs'
// beta.messages). Dropped, it would have the model answer prose.
func formatConfig(outputConfig, outputFormat json.RawMessage) json.RawMessage {
	if !set(outputFormat) {
		return outputConfig
	}
	var oc struct {
		Format json.RawMessage `json:"format"`
	}
	if json.Unmarshal(outputConfig, &oc) == nil && set(oc.Format) {
		return outputConfig
	}
	return append(append([]byte(`{"format":`), outputFormat...), '}')
}

type chatOutTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters,omitempty"`
		Strict      bool            `json:"strict,omitempty"`
	} `json:"function"`
}

// strictTool reports whether a Messages tool reaches m as a strict
// function: Anthropic holds a strict tool's input to its schema, and
// OpenAI does so only in strict mode, which only a model with structured
// output takes and which refuses (a 400 that would not fail over) a
// schema outside its rules (strictSchemaProblem). Otherwise the tool goes
// without strict, as a format outside them does (responseFormat): the
// model is given the schema, not held to it.
func strictTool(t messagesTool, m router.Model) bool {
	_, ok := strictToolSchema(t, m)
	return ok
}

// strictToolSchema is the schema a strict tool reaches m with, its enums'
// types written in where it needs them; ok is strictTool's answer, read
// with the same one pass over the schema.
func strictToolSchema(t messagesTool, m router.Model) (schema json.RawMessage, ok bool) {
	if !t.Strict || !m.Capabilities.StructuredOutput {
		return nil, false
	}
	schema, problem := strictSchema(t.InputSchema)
	return schema, problem == ""
}

// MessagesToChat translates an Anthropic Messages body into a Chat
// Completions body for m, an OpenAI-compatible model: `system` becomes the
// first message, tool_result blocks tool messages, tool_use blocks
// tool_calls, images image_url parts, client tools function tools, and
// stop_sequences, metadata.user_id and tool_choice their OpenAI forms.
// Thinking blocks are dropped (their signatures mean nothing elsewhere).
// What Chat Completions cannot carry (server tools, documents, search
// results and other block types) is an EInvalid error naming it and m.
// The result still needs rewriteOpenAI for m, as a client's Chat
// Completions body would. forward sends the same body in pieces
// (translateMessagesToChat).
func MessagesToChat(raw []byte, m router.Model) ([]byte, error) {
	chat, err := translateMessagesToChat(raw, m)
	if err != nil {
		return nil, err
	}
	// The messages go right after the model, where chatOut had them.
	head, cut := chat.head, chat.modelEnd
	out := make([]byte, 0, len(head)+len(`,"messages":`)+int(chat.messages.size))
	out = append(append(out, head[:cut]...), `,"messages":`...)
	for _, p := range chat.messages.parts {
		out = append(out, p...)
	}
	return append(out, head[cut:]...), nil
}

// chatTranslation is a Messages body translated: the Chat Completions
// body but for its messages (head, whose model member ends at modelEnd),
// and the messages, their long texts slices of the client's body.
type chatTranslation struct {
	head     []byte
	modelEnd int
	messages requestBody
}

func translateMessagesToChat(raw []byte, m router.Model) (chatTranslation, error) {
	var req messagesRequest
	if err := decodeRequest(raw, &req, "Messages"); err != nil {
		return chatTranslation{}, err
	}
	out := chatOut{
		Model: upstreamModel(m), MaxTokens: req.MaxTokens, Stream: req.Stream,
		Temperature: nullToNil(req.Temperature), TopP: nullToNil(req.TopP), Stop: req.StopSequences,
		ReasoningEffort: reasoningEffort(req.Thinking, req.OutputConfig, m),
		ResponseFormat:  responseFormat(formatConfig(req.OutputConfig, req.OutputFormat)),
	}
	if req.Metadata != nil {
		out.User = openAIUser(req.Metadata.UserID)
	}
	turns, err := messagesTurns(raw)
	if err != nil {
		return chatTranslation{}, err
	}
	var msgs chatMessages
	if err := msgs.system(req.System); err != nil {
		return chatTranslation{}, err
	}
	for i, turn := range turns {
		if err := msgs.turn(turn, m); err != nil {
			return chatTranslation{}, router.Errorf(router.EInvalid, "messages[%d]: %s", i, router.ErrorMessage(err))
		}
	}
	if msgs.count == 0 {
		// The server refuses a body without messages before routing; an
		// exported translation must not send one either.
		return chatTranslation{}, router.Errorf(router.EInvalid, "the request has no message content to send to %s", modelID(m))
	}
	for _, t := range req.Tools {
		if t.Type != "" && t.Type != "custom" {
			return chatTranslation{}, router.Errorf(router.EInvalid, "tool type %s is not supported by %s", quotedCut(t.Type), modelID(m))
		}
		var ct chatOutTool
		ct.Type = "function"
		ct.Function.Name, ct.Function.Description = t.Name, t.Description
		ct.Function.Parameters = nullToNil(t.InputSchema)
		if schema, ok := strictToolSchema(t, m); ok {
			ct.Function.Strict, ct.Function.Parameters = true, schema
		}
		out.Tools = append(out.Tools, ct)
	}
	// OpenAI rejects tool_choice and parallel_tool_calls without tools,
	// which Anthropic accepts.
	if c := req.ToolChoice; c != nil && len(out.Tools) > 0 {
		switch c.Type {
		case "auto":
			out.ToolChoice = "auto"
		case "any":
			out.ToolChoice = "required"
		case "none":
			out.ToolChoice = "none"
		case "tool":
			out.ToolChoice = map[string]any{"type": "function", "function": map[string]string{"name": c.Name}}
		default:
			return chatTranslation{}, router.Errorf(router.EInvalid, "unknown tool_choice type %s", quotedCut(c.Type))
		}
		if c.DisableParallelToolUse {
			no := false
			out.ParallelToolCalls = &no
		}
	}
	head, err := marshalPlain(out)
	if err != nil {
		return chatTranslation{}, err
	}
	model, _ := marshalPlain(out.Model)
	return chatTranslation{head: head, modelEnd: len(`{"model":`) + len(model), messages: msgs.body()}, nil
}

// marshalPlain is json.Marshal without HTML escaping, so text reaches the
// provider as the client wrote it (no \u003c for "<").
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func nullToNil(raw json.RawMessage) json.RawMessage {
	if string(raw) == "null" {
		return nil
	}
	return raw
}

// maxOpenAIUser is the longest user OpenAI takes ("Invalid 'user': string
// too long. Expected a string with maximum length 64").
const maxOpenAIUser = 64

// openAIUser is metadata.user_id as OpenAI's user: as it is when it fits,
// else its hex SHA-256 (64 characters), which still tells users apart.
// Claude Code sends about 150 characters.
func openAIUser(id string) string {
	if len(id) <= maxOpenAIUser {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// maxOpenAIToolID is the longest tool call id OpenAI takes ("Invalid
// 'messages[2].tool_calls[0].id': string too long. Expected a string with
// maximum length 40").
const maxOpenAIToolID = 40

// openAIToolID is a tool_use id as OpenAI takes it: as it is when it fits,
// else its head with a short hash of the whole, so two ids stay two. A call
// and its result map alike. Claude's ids fit; a conversation can hold
// longer ones, such as an OpenAI-compatible server's id made to fit
// Anthropic's pattern (anthropicToolID) with an MCP tool's name in it.
func openAIToolID(id string) string {
	if len(id) <= maxOpenAIToolID {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	head := strings.ToValidUTF8(id[:maxOpenAIToolID-9], "")
	return head + "_" + hex.EncodeToString(sum[:4])
}
