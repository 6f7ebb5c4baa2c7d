package openai

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Messages is Anthropic's Messages API, served as an ingress format so that
// Anthropic SDKs and tools can call the router:
// https://docs.anthropic.com/en/api/messages
const Messages API = "messages"

// CountTokens is the Messages API's token counting endpoint: a Messages
// body without max_tokens.
const CountTokens API = "messages.count_tokens"

// CustomToolType is the tool type a Messages request's client tools (no
// `type`, or "custom") are listed under in [Request.ToolTypes]; Anthropic's
// server tools keep their own type ("web_search_20250305", ...).
const CustomToolType = "custom"

// messagesCoreFields are present in every Messages request (max_tokens is
// required there), so they say nothing about which model can serve it.
var messagesCoreFields = []string{"system", "max_tokens"}

// messagesTurn is one element of `messages`: a user or assistant turn whose
// content is a string or a list of content blocks.
type messagesTurn struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// messagesBlock is a content block as routing reads it; each type uses a
// few of these members.
type messagesBlock struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Name     string          `json:"name"`
	Input    json.RawMessage `json:"input"`
	Content  json.RawMessage `json:"content"` // tool_result: string or blocks
	Thinking string          `json:"thinking"`
	Source   *struct {
		Type string `json:"type"`
		Data string `json:"data"`
	} `json:"source"`
}

func parseMessages(top map[string]json.RawMessage, r *Request) error {
	var err error
	if r.MaxOutputTokens, err = maxTokens(top, "max_tokens"); err != nil {
		return err
	}
	if r.MaxOutputTokens == 0 && r.API == Messages {
		return invalid("max_tokens", "missing required parameter: 'max_tokens'")
	}
	var conv conversation
	if err := messagesSystem(top["system"], &conv); err != nil {
		return err
	}
	raw, ok := top["messages"]
	if !ok || isNull(raw) {
		return invalid("messages", "missing required parameter: 'messages'")
	}
	var turns []json.RawMessage
	if json.Unmarshal(raw, &turns) != nil {
		return invalid("messages", "messages must be an array of message objects")
	}
	if len(turns) == 0 {
		return invalid("messages", "messages must contain at least one message")
	}
	for i, tr := range turns {
		if err := addMessagesTurn(&conv, tr, i); err != nil {
			return err
		}
	}
	conv.finish(r)

	if err := messagesTools(top, r); err != nil {
		return err
	}
	if v, ok := top["metadata"]; ok && !isNull(v) {
		var md struct {
			UserID string `json:"user_id"`
		}
		if json.Unmarshal(v, &md) != nil {
			return invalid("metadata", "metadata must be an object; metadata.user_id a string")
		}
		r.User = md.UserID
	}
	r.Params = slices.DeleteFunc(r.Params, func(p string) bool { return slices.Contains(messagesCoreFields, p) })
	return nil
}

// messagesSystem reads `system`: a string or a list of text blocks.
func messagesSystem(raw json.RawMessage, conv *conversation) error {
	if isNull(raw) {
		return nil
	}
	text, _, err := messagesContent(raw, "system", nil)
	if err != nil {
		return invalid("system", "system must be a string or an array of text blocks")
	}
	if text != "" {
		conv.add("system", text)
	}
	return nil
}

func addMessagesTurn(conv *conversation, raw json.RawMessage, i int) error {
	param := fmt.Sprintf("messages[%d]", i)
	var t messagesTurn
	if json.Unmarshal(raw, &t) != nil {
		return invalid(param, "%s must be an object with a string role", param)
	}
	if t.Role != "user" && t.Role != "assistant" {
		return invalid(param+".role", "%s.role must be \"user\" or \"assistant\" (the system prompt goes in the top-level `system`)", param)
	}
	if isNull(t.Content) {
		return invalid(param+".content", "missing required parameter: '%s.content'", param)
	}
	text, images, err := messagesContent(t.Content, param+".content", conv)
	if err != nil {
		return err
	}
	conv.images += images
	conv.add(t.Role, text)
	return nil
}

// messagesContent joins the text of a content (string or blocks) and counts
// its images. Text a model reads that is not the turn's own words (tool
// calls and results) goes to conv's extra texts when conv is not nil.
func messagesContent(raw json.RawMessage, param string, conv *conversation) (string, int, error) {
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", 0, invalid(param, "%s is not a valid string", param)
		}
		return s, 0, nil
	case '[':
	default:
		return "", 0, invalid(param, "%s must be a string or an array of content blocks", param)
	}
	var blocks []messagesBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return "", 0, invalid(param, "%s must be a string or an array of content blocks", param)
	}
	var b strings.Builder
	images := 0
	for j, bl := range blocks {
		switch bl.Type {
		case "text":
			if bl.Text != "" {
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(bl.Text)
			}
		case "image":
			images++
		case "tool_use", "server_tool_use":
			if conv != nil {
				conv.extra(bl.Name, string(bl.Input))
			}
		case "tool_result":
			if isNull(bl.Content) {
				continue
			}
			text, imgs, err := messagesContent(bl.Content, fmt.Sprintf("%s[%d].content", param, j), nil)
			if err != nil {
				return "", 0, err
			}
			images += imgs
			// A tool's output is read by the model (tokens) but is not
			// the user's question, so it does not become the routed prompt.
			if conv != nil {
				conv.extra(text)
			}
		case "document":
			if conv != nil && bl.Source != nil && bl.Source.Type == "text" {
				conv.extra(bl.Source.Data)
			}
		case "":
			return "", 0, invalid(fmt.Sprintf("%s[%d].type", param, j), "%s[%d] is missing its type", param, j)
		}
		// thinking blocks are the model's own earlier reasoning; other
		// block types carry nothing routing reads.
	}
	return b.String(), images, nil
}

// messagesTools reads `tools`: client tools (no type, or "custom") and
// Anthropic server tools, which only Anthropic's API runs.
func messagesTools(top map[string]json.RawMessage, r *Request) error {
	v, ok := top["tools"]
	if !ok || isNull(v) {
		return nil
	}
	var tools []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if json.Unmarshal(v, &tools) != nil {
		return invalid("tools", "tools must be an array of tool objects")
	}
	r.addText(string(v))
	for i, t := range tools {
		if t.Name == "" {
			return invalid(fmt.Sprintf("tools[%d].name", i), "tools[%d] is missing its name", i)
		}
		r.Tools = true
		typ := t.Type
		if typ == "" {
			typ = CustomToolType
		}
		if !slices.Contains(r.ToolTypes, typ) {
			r.ToolTypes = append(r.ToolTypes, typ)
		}
	}
	return nil
}
