package upstream

import (
	"encoding/json"
	"slices"

	"github.com/modelrouter/modelrouter/router"
)

// allowedToolsChoice is OpenAI's allowed_tools tool choice in either
// API's shape: Chat Completions nests the mode and the tools
// ({"type": "allowed_tools", "allowed_tools": {"mode": …, "tools":
// [{"type": "function", "function": {"name": …}}]}}), Responses has them
// flat ({"type": "allowed_tools", "mode": …, "tools": [{"type":
// "function", "name": …}]}) (openai-go's ChatCompletionAllowedToolsParam
// and responses.ToolChoiceAllowedParam).
type allowedToolsChoice struct {
	Type         string        `json:"type"`
	Mode         string        `json:"mode"`
	Tools        []allowedTool `json:"tools"`
	AllowedTools *struct {
		Mode  string        `json:"mode"`
		Tools []allowedTool `json:"tools"`
	} `json:"allowed_tools"`
}

type allowedTool struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// allowOnly applies a tool choice of type allowed_tools (raw, as the
// client sent it) to r's tools, and reports whether raw was one. Anthropic's
// tool_choice names no list of tools, so Claude is sent only the allowed
// ones, with tool_choice auto (mode auto) or any (mode required): Claude
// may call what OpenAI's model may; Claude does not see the other tools'
// definitions. With mode auto and no tool allowed, Claude
// calls none (tool_choice none, which Anthropic takes without tools).
func (r *anthropicRequest) allowOnly(raw json.RawMessage, m router.Model) (bool, error) {
	var c allowedToolsChoice
	if json.Unmarshal(raw, &c) != nil || c.Type != "allowed_tools" {
		return false, nil
	}
	mode, names := c.Mode, c.Tools
	if c.AllowedTools != nil {
		mode, names = c.AllowedTools.Mode, c.AllowedTools.Tools
	}
	var choice block
	switch mode {
	case "auto":
		choice = block{"type": "auto"}
	case "required":
		choice = block{"type": "any"}
	default:
		return true, router.Errorf(router.EInvalid, "tool_choice allowed_tools mode must be auto or required, not %s", quotedCut(mode))
	}
	allow := make(map[string]bool, len(names))
	for _, t := range names {
		if t.Type != "" && t.Type != "function" {
			return true, router.Errorf(router.EInvalid, "tool_choice allowed_tools names a tool of type %s, which %s does not take", quotedCut(t.Type), modelID(m))
		}
		name := t.Name
		if name == "" {
			name = t.Function.Name
		}
		if !slices.ContainsFunc(r.Tools, func(d anthropicTool) bool { return d.Name == name }) {
			return true, router.Errorf(router.EInvalid, "tool_choice allowed_tools names tool %s, which tools does not declare", quotedCut(name))
		}
		allow[name] = true
	}
	// In the order the call declares them, not the list's: the same set
	// listed in another order gives Claude the same prompt, and so the
	// same prompt-cache prefix.
	allowed := slices.DeleteFunc(slices.Clone(r.Tools), func(d anthropicTool) bool { return !allow[d.Name] })
	if len(allowed) == 0 {
		if mode == "required" {
			return true, router.Errorf(router.EInvalid, "tool_choice allowed_tools requires a tool call but allows no tool")
		}
		choice = block{"type": "none"}
	}
	r.Tools, r.ToolChoice = allowed, choice
	return true, nil
}
