package openai

import "encoding/json"

// toolChoiceWithoutTools refuses a tool_choice on a call that declares no
// tools (tools absent, null or []) where the API's own provider refuses
// it, so that the call is the client's 400 before routing, whichever
// model would have answered: forwarded, it was refused with a 400 by
// OpenAI and Anthropic but answered by a translation that drops the
// choice (Claude for Chat and Responses, an OpenAI-compatible model for
// Messages), so "required" got a text answer, billed, or not, by route.
//
//   - Chat Completions: OpenAI refuses every choice without tools, "none"
//     and "auto" included, and a parallel_tool_calls, false included.
//   - Responses: OpenAI takes "none" and "auto" (nothing to call either
//     way) and refuses the others. A stored prompt template may declare
//     the tools, so a call with `prompt` is left to the provider.
//   - Messages: Anthropic refuses every choice without tools but
//     {"type": "none"}, which its tool use docs price for a call with no
//     tools (no tool use system prompt tokens): nothing to call, so it is
//     forwarded to Claude as sent and a translation drops it. A thread
//     continuation, whose tools the thread holds, and a call with
//     mcp_servers, whose tools the MCP connector's first beta
//     (mcp-client-2025-04-04) brings without a tools entry, are left to the
//     provider too. count_tokens calls no model and is answered as before.
func toolChoiceWithoutTools(api API, top map[string]json.RawMessage, r *Request) error {
	if r.Tools {
		return nil
	}
	raw := top["tool_choice"]
	if isNull(raw) {
		return parallelWithoutTools(api, top)
	}
	switch api {
	case Chat:
		// OpenAI's words, which clients match.
		return invalid("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
	case Responses:
		if set(top["prompt"]) {
			return nil
		}
		var mode string
		if json.Unmarshal(raw, &mode) == nil {
			if mode == "none" || mode == "auto" {
				return nil
			}
			return invalid("tool_choice", "Tool choice '%s' must be specified with 'tools' parameter.", mode)
		}
		var named struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(raw, &named)
		what := named.Type
		if what == "" {
			what = string(raw)
		}
		return invalid("tool_choice", "Tool choice '%s' not found in 'tools' parameter.", what)
	case Messages:
		var c struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(raw, &c)
		if c.Type == "none" || r.Thread == ThreadContinue || set(top["mcp_servers"]) {
			return nil
		}
		// Anthropic's shape has no param: the message names the member.
		return invalid("tool_choice", "tool_choice may only be specified while providing tools")
	}
	return nil
}

// parallelWithoutTools refuses a Chat Completions parallel_tool_calls on a
// call without tools, as OpenAI does (after a tool_choice, which it names
// first): forwarded, an OpenAI model answered 400 and Claude, whose
// translation leaves it out, an answer. Responses takes one without tools.
// A value that is not true or false is left to the check that names its
// type.
func parallelWithoutTools(api API, top map[string]json.RawMessage) error {
	raw := top["parallel_tool_calls"]
	var b bool
	if api != Chat || isNull(raw) || json.Unmarshal(raw, &b) != nil {
		return nil
	}
	return invalid("parallel_tool_calls", "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.")
}
