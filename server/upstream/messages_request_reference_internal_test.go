package upstream

// The Messages to Chat Completions translation as it was before it wrote
// the client's strings as their own bytes (messages_chat_body.go): every
// text decoded to a Go string and the whole body encoded by encoding/json.
// It is the reference the new one is held to, byte for byte
// (TestMessagesToChatIsTheOldEncoding, FuzzMessagesToChatIsTheOldEncoding).

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// refContentBlock is one block of a Messages turn, with the members of every
// kind we translate.
type refContentBlock struct {
	Type      string
	Text      string
	Source    *refBlockSource
	ID        string
	Name      string
	Input     json.RawMessage
	ToolUseID string
	Content   json.RawMessage
	IsError   bool
}

type refBlockSource struct {
	Type      string
	MediaType string
	Data      string
	URL       string
}

// refChatOut is the Chat Completions body the old translation encoded.
type refChatOut struct {
	Model             string          `json:"model"`
	Messages          []refChatOutMsg `json:"messages"`
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

type refChatOutMsg struct {
	Role       string            `json:"role"`
	Content    any               `json:"content,omitempty"`
	ToolCalls  []chatToolCallOut `json:"tool_calls,omitempty"`
	ToolCallID string            `json:"tool_call_id,omitempty"`
}

// refMessagesToChat translates an Anthropic Messages body into a Chat
// Completions body for m, an OpenAI-compatible model: `system` becomes the
// first message, tool_result refBlocks tool messages, tool_use refBlocks
// tool_calls, images image_url parts, client tools function tools, and
// stop_sequences, metadata.user_id and tool_choice their OpenAI forms.
// Thinking refBlocks are dropped (their signatures mean nothing elsewhere).
// What Chat Completions cannot carry (server tools, documents, search
// results and other block types) is an EInvalid error naming it and m.
// The result still needs rewriteOpenAI for m, as a client's Chat
// Completions body would.
func refMessagesToChat(raw []byte, m router.Model) ([]byte, error) {
	var req messagesRequest
	if err := decodeRequest(raw, &req, "Messages"); err != nil {
		return nil, err
	}
	out := refChatOut{
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
		return nil, err
	}
	system, err := refSystemText(req.System)
	if err != nil {
		return nil, err
	}
	if system != "" {
		out.Messages = append(out.Messages, refChatOutMsg{Role: "system", Content: system})
	}
	// A turn is usually one message (tool results add theirs).
	out.Messages = slices.Grow(out.Messages, len(turns))
	for i, turn := range turns {
		out.Messages, err = refAppendChatTurn(out.Messages, turn, m)
		if err != nil {
			return nil, router.Errorf(router.EInvalid, "messages[%d]: %s", i, router.ErrorMessage(err))
		}
	}
	if len(out.Messages) == 0 {
		// The server refuses a body without messages before routing; an
		// exported translation must not send one either.
		return nil, router.Errorf(router.EInvalid, "the request has no message content to send to %s", modelID(m))
	}
	for _, t := range req.Tools {
		if t.Type != "" && t.Type != "custom" {
			return nil, router.Errorf(router.EInvalid, "tool type %s is not supported by %s", quotedCut(t.Type), modelID(m))
		}
		var ct chatOutTool
		ct.Type = "function"
		ct.Function.Name, ct.Function.Description = t.Name, t.Description
		ct.Function.Parameters = nullToNil(t.InputSchema)
		ct.Function.Strict = strictTool(t, m)
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
			return nil, router.Errorf(router.EInvalid, "unknown tool_choice type %s", quotedCut(c.Type))
		}
		if c.DisableParallelToolUse {
			no := false
			out.ParallelToolCalls = &no
		}
	}
	return marshalPlain(out)
}

// refBlocks reads Messages content: a string is one text block. The content
// comes from a body refMessagesToChat has decoded, so it is valid JSON, and
// jsonscan reads it without checking it again (a long tool result would
// otherwise be read once per level).
func refBlocks(raw json.RawMessage) ([]refContentBlock, error) {
	if jsonscan.IsNull(raw) {
		return nil, nil
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		return []refContentBlock{{Type: "text", Text: s}}, nil
	}
	raws, ok := jsonscan.Elements(raw)
	if !ok {
		return nil, router.Errorf(router.EInvalid, "content must be a string or a list of content blocks")
	}
	bs := make([]refContentBlock, len(raws))
	for i, r := range raws {
		obj, ok := jsonscan.ParseObject(r)
		if ok {
			bs[i].Type, ok = refStringMember(obj.Get("type"))
		}
		if !ok {
			return nil, router.Errorf(router.EInvalid, "content block %d is not an object", i)
		}
		switch bs[i].Type {
		case "text", "image", "tool_use", "tool_result":
			// Only the kinds we translate are read whole: others may reuse
			// a member name with another shape (search_result's source is
			// a string), and are rejected by type anyway.
			if what := refReadBlock(obj, &bs[i]); what != "" {
				return nil, router.Errorf(router.EInvalid, "malformed %s block: %s", bs[i].Type, what)
			}
		}
	}
	return bs, nil
}

// refReadBlock reads the members of a block we translate; it returns what is
// wrong, "" when nothing is.
func refReadBlock(obj jsonscan.Object, b *refContentBlock) string {
	for _, f := range []struct {
		name string
		dst  *string
	}{{"text", &b.Text}, {"id", &b.ID}, {"name", &b.Name}, {"tool_use_id", &b.ToolUseID}} {
		var ok bool
		if *f.dst, ok = refStringMember(obj.Get(f.name)); !ok {
			return f.name + " must be a string"
		}
	}
	b.Input, b.Content = obj.Get("input"), obj.Get("content")
	switch v := string(obj.Get("is_error")); v {
	case "true", "false":
		b.IsError = v == "true"
	case "", "null":
	default:
		return "is_error must be true or false"
	}
	src := obj.Get("source")
	if jsonscan.IsNull(src) {
		return ""
	}
	so, ok := jsonscan.ParseObject(src)
	if !ok {
		return "source must be an object"
	}
	b.Source = &refBlockSource{}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"type", &b.Source.Type}, {"media_type", &b.Source.MediaType}, {"data", &b.Source.Data}, {"url", &b.Source.URL}} {
		if *f.dst, ok = refStringMember(so.Get(f.name)); !ok {
			return "source." + f.name + " must be a string"
		}
	}
	return ""
}

// refStringMember reads a member that must be a string when set: "" when it is
// absent or null, ok false when it is another value.
func refStringMember(v []byte) (string, bool) {
	if jsonscan.IsNull(v) {
		return "", true
	}
	return jsonscan.Unquote(v)
}

// refSystemText joins the system prompt's text refBlocks into one string: a
// string content is what every OpenAI-compatible server accepts for a
// system message.
func refSystemText(raw json.RawMessage) (string, error) {
	bs, err := refBlocks(raw)
	if err != nil {
		return "", router.Errorf(router.EInvalid, "system: %s", router.ErrorMessage(err))
	}
	return refJoinText(bs, "system")
}

// refJoinText joins text refBlocks with newlines; any other block is an error.
func refJoinText(bs []refContentBlock, where string) (string, error) {
	texts := make([]string, 0, len(bs))
	for _, b := range bs {
		if b.Type != "text" {
			return "", router.Errorf(router.EInvalid, "%s: only text blocks are supported, not %s", where, quotedCut(b.Type))
		}
		texts = append(texts, b.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// refAppendChatTurn appends one Messages turn's Chat Completions messages to
// out (into the request's own list: no list of its own per turn).
func refAppendChatTurn(out []refChatOutMsg, turn messagesTurn, m router.Model) ([]refChatOutMsg, error) {
	switch turn.Role {
	case "user":
		return refAppendUserTurn(out, turn.Content, m)
	case "assistant":
		msg, ok, err := refAssistantTurn(turn.Content, m)
		if err != nil || !ok {
			return out, err
		}
		return append(out, msg), nil
	}
	return out, router.Errorf(router.EInvalid, "role %s is not supported", quotedCut(turn.Role))
}

// refAppendUserTurn puts the turn's tool results first, as tool messages:
// OpenAI wants them right after the assistant message that made the calls.
// The rest of the turn follows as one user message.
func refAppendUserTurn(out []refChatOutMsg, raw json.RawMessage, m router.Model) ([]refChatOutMsg, error) {
	if jsonscan.IsNull(raw) {
		raw = json.RawMessage(`""`) // as encoding/json read a null content
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		return append(out, refChatOutMsg{Role: "user", Content: s}), nil
	}
	bs, err := refBlocks(raw)
	if err != nil {
		return out, err
	}
	var parts []map[string]any
	for _, b := range bs {
		switch b.Type {
		case "text":
			parts = append(parts, map[string]any{"type": "text", "text": b.Text})
		case "image":
			url, err := refImageURL(b, m)
			if err != nil {
				return nil, err
			}
			parts = append(parts, map[string]any{"type": "image_url", "image_url": map[string]string{"url": url}})
		case "tool_result":
			text, err := refToolResultText(b)
			if err != nil {
				return nil, err
			}
			out = append(out, refChatOutMsg{Role: "tool", ToolCallID: openAIToolID(b.ToolUseID), Content: text})
		default:
			return nil, refUnsupportedBlock(b.Type, m)
		}
	}
	if len(parts) > 0 {
		out = append(out, refChatOutMsg{Role: "user", Content: parts})
	}
	return out, nil
}

func refUnsupportedBlock(typ string, m router.Model) error {
	return router.Errorf(router.EInvalid, "content block type %s is not supported by %s", quotedCut(typ), modelID(m))
}

// refImageURL is an image block's source as an image_url URL: base64 data as
// a data URL, a URL as it is. File references have no OpenAI form.
func refImageURL(b refContentBlock, m router.Model) (string, error) {
	if b.Source != nil {
		switch b.Source.Type {
		case "base64":
			return "data:" + b.Source.MediaType + ";base64," + b.Source.Data, nil
		case "url":
			return b.Source.URL, nil
		}
		return "", router.Errorf(router.EInvalid, "image source type %s is not supported by %s", quotedCut(b.Source.Type), modelID(m))
	}
	return "", router.Errorf(router.EInvalid, "image block without source")
}

// refToolResultText is a tool_result's content as one string, marked when the
// tool failed: a tool message has no error flag of its own.
func refToolResultText(b refContentBlock) (string, error) {
	bs, err := refBlocks(b.Content)
	if err != nil {
		return "", err
	}
	text, err := refJoinText(bs, "tool_result")
	if err != nil {
		return "", err
	}
	if b.IsError {
		text = "Error: " + text
	}
	return text, nil
}

// refAssistantTurn joins the turn's text and turns tool_use refBlocks into tool
// calls; nil when nothing is left: a turn of thinking refBlocks only, or one
// with no content ("" as [], the empty last turn Anthropic allows, which
// asks Claude to continue nothing; some OpenAI-compatible servers refuse a
// conversation that ends with an assistant message, Mistral's among them).
func refAssistantTurn(raw json.RawMessage, m router.Model) (msg refChatOutMsg, ok bool, err error) {
	bs, err := refBlocks(raw)
	if err != nil {
		return msg, false, err
	}
	msg.Role = "assistant"
	var text strings.Builder
	for _, b := range bs {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			var tc chatToolCallOut
			tc.ID, tc.Type, tc.Function.Name = openAIToolID(b.ID), "function", b.Name
			tc.Function.Arguments = string(compactJSON(nullToNil(b.Input)))
			msg.ToolCalls = append(msg.ToolCalls, tc)
		case "thinking", "redacted_thinking":
			// Signed for Anthropic models only; others cannot use them.
		default:
			return msg, false, refUnsupportedBlock(b.Type, m)
		}
	}
	switch {
	case text.Len() > 0:
		msg.Content = text.String()
	case len(msg.ToolCalls) == 0:
		return msg, false, nil
	}
	return msg, true, nil
}
