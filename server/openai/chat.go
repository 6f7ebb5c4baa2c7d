package openai

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// chatMessage is a Chat Completions message as routing reads it:
// https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
type chatMessage struct {
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"` // string, array of parts, or null
	ToolCalls []toolCall
	Refusal   string `json:"refusal"` // an assistant turn's refusal
	// LegacyCall: an assistant turn's function_call (the legacy form).
	LegacyCall bool `json:"-"`
}

// contentPart is one element of an array `content`, in either API: Chat
// uses "text"/"image_url", Responses "input_text"/"output_text"/"input_image".
type contentPart struct {
	Type    string
	Text    string
	Refusal string
	// Pages estimates a file part's pages ([filePages]); FileID names an
	// upload to OpenAI's Files API.
	Pages  int
	FileID string
}

func parseChat(top map[string]json.RawMessage, r *Request) error {
	raw, ok := top["messages"]
	if !ok || isNull(raw) {
		return invalid("messages", "missing required parameter: 'messages'")
	}
	// Counted first, so that the turns get their room at once, then read
	// in a second walk: a list of the elements would be a third.
	n, ok := jsonscan.CountElements(raw)
	if !ok {
		return invalid("messages", "messages must be an array of message objects")
	}
	if n == 0 {
		return invalid("messages", "messages must contain at least one message")
	}
	r.MessageCount = n
	conv := conversation{msgs: make([]router.Turn, 0, n)}
	list := paramAt("messages")
	// Each message is read into m and obj in turn and left there: routing
	// keeps a turn's role and text, not the message.
	var (
		m      chatMessage
		obj    jsonscan.Object
		legacy bool // a message in the legacy function form
		err    error
		i      int
	)
	jsonscan.EachElement(raw, func(e []byte) bool {
		err = readChatTurn(e, i, list, &m, &obj, &conv)
		legacy = legacy || m.Role == "function" || m.LegacyCall
		i++
		return err == nil
	})
	if err != nil {
		return err
	}
	conv.finish(r)

	if err := readTools(top, r); err != nil {
		return err
	}
	if v, ok := top["functions"]; ok && !isNull(v) {
		r.Tools = true
		r.addText(string(v))
		if fs, ok := jsonscan.Elements(v); ok {
			r.ToolCount = max(r.ToolCount, len(fs))
			for _, f := range fs {
				// A legacy function is the function object itself,
				// held to the same name pattern as a tool's.
				r.ToolNames = appendName(r.ToolNames, nil, f)
			}
		}
	}
	if v, ok := top["response_format"]; ok && !isNull(v) {
		var rf struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(v, &rf) != nil {
			return invalid("response_format", "response_format must be an object with a type")
		}
		if err := checkTypeName(paramAt("response_format.type"), rf.Type); err != nil {
			return err
		}
		r.StructuredOutput = rf.Type == "json_schema"
		if r.StructuredOutput {
			// The translation to Claude carries it as output_config.format
			// where Claude's structured outputs take the schema.
			var js struct {
				JSONSchema struct {
					Schema json.RawMessage `json:"schema"`
					Strict json.RawMessage `json:"strict"`
				} `json:"json_schema"`
			}
			_ = json.Unmarshal(v, &js) // a json_schema that is no object has no schema
			r.OutputSchema, r.OutputSchemaAt = js.JSONSchema.Schema, "response_format.json_schema.schema"
			r.OutputStrict = string(js.JSONSchema.Strict) == "true"
		} else if rf.Type != "" && rf.Type != "text" {
			// The translation to Claude's Messages API cannot carry it.
			r.NativeOnly = append(r.NativeOnly, "response_format "+rf.Type)
		}
		r.addText(string(v))
	}
	r.NativeOnly = append(r.NativeOnly, chatNativeOnly(top, legacy)...)
	r.WebSearch = set(top["web_search_options"])
	r.Moderation = set(top["moderation"])
	r.AudioOutput = asksForAudio(top)
	r.Choices = choices(top["n"])
	if stops, ok := jsonscan.Elements(top["stop"]); ok {
		r.StopCount = len(stops)
	}
	r.MaxOutputTokens, err = maxTokens(top, "max_completion_tokens", "max_tokens")
	return err
}

// readChatTurn reads the i-th message e of list into m and obj (the
// memory every message is read into) and adds its turn to conv.
func readChatTurn(e []byte, i int, list paramPath, m *chatMessage, obj *jsonscan.Object, conv *conversation) error {
	var ok bool
	if *obj, ok = readChatMessage(e, m, *obj); !ok {
		return invalid(fmt.Sprintf("messages[%d]", i), "messages[%d] must be an object with a string role", i)
	}
	if m.Role == "" {
		return invalid(fmt.Sprintf("messages[%d].role", i), "messages[%d] is missing its role", i)
	}
	el := list.elem(i)
	text, err := contentText(m.Content, el.member("content"), conv)
	if err != nil {
		return err
	}
	for _, tc := range m.ToolCalls {
		conv.extra(tc.Name, tc.Arguments)
	}
	if m.Refusal != "" {
		conv.extra(m.Refusal)
	}
	conv.add(m.Role, text)
	return nil
}

// maxChoices is the most answers OpenAI's Chat Completions gives one call;
// it refuses a larger n.
const maxChoices = 128

// choices reads n: the number of answers asked for, 1 where it is unset or
// not one the provider takes (the provider answers that call with its 400).
func choices(n json.RawMessage) int {
	c := 1
	decoded(n, func(v int) bool {
		if v > 1 && v <= maxChoices {
			c = v
		}
		return true
	})
	return c
}

// chatRoles are the roles of Chat Completions messages and Responses
// message items, read as the shared name rather than a copy (see
// knownText): 16 bytes and an allocation a message.
var chatRoles = []string{"user", "assistant", "system", "tool", "developer", "function"}

// readChatMessage reads a message of a validated body into m (see
// jsonscan: the texts are read once, not once per level), its members
// into buf's memory; it returns that memory for the next message.
func readChatMessage(raw []byte, m *chatMessage, buf jsonscan.Object) (jsonscan.Object, bool) {
	*m = chatMessage{ToolCalls: m.ToolCalls[:0]} // the calls' memory serves every message
	obj, ok := jsonscan.ParseObjectInto(buf, raw)
	if !ok {
		return buf, false
	}
	if m.Role, ok = knownText(obj.Get("role"), chatRoles); !ok {
		return obj, false
	}
	m.Content = obj.Get("content")
	if m.Refusal, ok = optText(obj.Get("refusal")); !ok {
		return obj, false
	}
	m.LegacyCall = set(obj.Get("function_call"))
	if m.ToolCalls, ok = readToolCalls(obj.Get("tool_calls"), m.ToolCalls); !ok {
		return obj, false
	}
	return obj, true
}

// optText reads a member that must be a string when set: "" when it is
// absent or null, ok false when it is another value.
func optText(v []byte) (string, bool) {
	if jsonscan.IsNull(v) {
		return "", true
	}
	return jsonscan.Unquote(v)
}

// contentText joins the text of a message content (string, parts or null)
// and counts its images and files into conv. param is formatted only for
// an error: every message of every call comes here.
func contentText(raw json.RawMessage, param paramPath, conv *conversation) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	switch raw[0] {
	case '"':
		return stringContent(raw, param)
	case '[':
		parts, ok := contentParts(raw)
		if !ok {
			at := param.String()
			return "", invalid(at, "%s must be a string or an array of content parts", at)
		}
		var b strings.Builder
		for _, p := range parts {
			switch p.Type {
			case "image_url", "input_image":
				conv.images++
				conv.storedAtOpenAI("file", p.FileID)
			case "file", "input_file":
				conv.files++
				conv.filePages += p.Pages
				conv.storedAtOpenAI("file", p.FileID)
			default:
				t := p.Text
				if t == "" {
					t = p.Refusal
				}
				if t != "" {
					if b.Len() > 0 {
						b.WriteByte('\n')
					}
					b.WriteString(t)
				}
			}
		}
		return b.String(), nil
	}
	at := param.String()
	return "", invalid(at, "%s must be a string or an array of content parts", at)
}

// contentParts reads an array of content parts.
func contentParts(raw []byte) ([]contentPart, bool) {
	elems, ok := jsonscan.Elements(raw)
	if !ok {
		return nil, false
	}
	parts := make([]contentPart, len(elems))
	var obj jsonscan.Object // each part's members in turn
	for i, e := range elems {
		if jsonscan.IsNull(e) {
			continue // a null part carries nothing, as encoding/json read it
		}
		if obj, ok = jsonscan.ParseObjectInto(obj, e); !ok {
			return nil, false
		}
		p := &parts[i]
		var okType, okText, okRefusal bool
		p.Type, okType = optText(obj.Get("type"))
		p.Text, okText = optText(obj.Get("text"))
		p.Refusal, okRefusal = optText(obj.Get("refusal"))
		if !okType || !okText || !okRefusal {
			return nil, false
		}
		if p.Pages, p.FileID, ok = partFile(p.Type, obj); !ok {
			return nil, false
		}
	}
	return parts, true
}

// partFile reads a file or image part: [filePages] of a file's data
// (Chat's `file.file_data`, Responses' `file_data`) and the id of a file
// uploaded to OpenAI's Files API (`file_id`); 0 and "" for other parts.
func partFile(typ string, part jsonscan.Object) (pages int, fileID string, ok bool) {
	switch typ {
	case "file":
		if file := part.Get("file"); !jsonscan.IsNull(file) {
			if part, ok = jsonscan.ParseObject(file); !ok {
				return 0, "", false
			}
		}
	case "input_file", "input_image":
	default:
		return 0, "", true
	}
	if fileID, ok = optText(part.Get("file_id")); !ok || typ == "input_image" {
		return 0, fileID, ok
	}
	data, ok := optText(part.Get("file_data"))
	return filePages(data), fileID, ok
}

// stringContent reads a content given as a JSON string; param is
// formatted only for an error.
func stringContent(raw json.RawMessage, param paramPath) (string, error) {
	if s, ok := jsonscan.Unquote(raw); ok {
		return s, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		at := param.String()
		return "", invalid(at, "%s is not a valid string", at)
	}
	return s, nil
}

// readTools reads `tools` (both APIs): any tool means the model must take
// tools; non-function tools are built-in agent tools.
func readTools(top map[string]json.RawMessage, r *Request) error {
	v, ok := top["tools"]
	if !ok || isNull(v) {
		return nil
	}
	var tools []struct {
		Type string `json:"type"`
		// Read apart, so that a name of the wrong type is the
		// provider's to refuse, as before.
		Name     json.RawMessage `json:"name"`
		Function json.RawMessage `json:"function"`
	}
	if json.Unmarshal(v, &tools) != nil {
		return invalid("tools", "tools must be an array of tool objects")
	}
	r.addText(string(v))
	r.ToolCount = len(tools)
	list := paramAt("tools")
	for i, t := range tools {
		el := list.elem(i)
		if err := checkTypeName(el.member("type"), t.Type); err != nil {
			return err
		}
		if t.Type == "function" {
			r.ToolNames = appendName(r.ToolNames, t.Name, t.Function)
		}
		r.Tools = true
		if t.Type != "" && !slices.Contains(r.ToolTypes, t.Type) {
			if len(r.ToolTypes) == maxTypeNames {
				return tooManyTypes("tools", "tool types")
			}
			r.ToolTypes = append(r.ToolTypes, t.Type)
		}
		switch t.Type {
		case "function", "custom", "":
		default:
			r.AgentTools = append(r.AgentTools, t.Type)
		}
	}
	return nil
}

// appendName appends to names a function tool's name: a Responses tool's
// own (name), or a Chat tool's function.name or a legacy functions entry's
// name (function); a name that is not a string is left to the provider.
func appendName(names []string, name, function json.RawMessage) []string {
	if len(function) > 0 {
		var f struct {
			Name json.RawMessage `json:"name"`
		}
		if json.Unmarshal(function, &f) == nil {
			name = f.Name
		}
	}
	var s string
	if json.Unmarshal(name, &s) != nil {
		return names
	}
	return append(names, s)
}
