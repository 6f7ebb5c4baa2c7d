package openai

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// responseItem is one element of a Responses API `input` array:
// https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
// A message has a role and content; other items (function_call,
// function_call_output, reasoning, ...) carry their text in other fields.
type responseItem struct {
	Type      string
	Role      string
	Content   json.RawMessage
	Arguments string
	// Input is a custom_tool_call's free-form input.
	Input    string
	Name     string
	Output   json.RawMessage
	FileData string // an input_file item's file_data
	// StoredID is an item_reference's id, or an input_file or
	// input_image item's file_id: ids OpenAI stores.
	StoredID string
	// ID is the id any other item carries with its content, as an
	// earlier answer gave it (rs_…, msg_…, fc_…): OpenAI looks it up in
	// its store as it does an item_reference's.
	ID string
}

func parseResponses(top map[string]json.RawMessage, r *Request) error {
	var conv conversation
	instructions, err := optString(top, "instructions")
	if err != nil {
		return err
	}
	if instructions != "" {
		conv.add("developer", instructions)
	}
	raw, ok := top["input"]
	switch {
	case !ok || isNull(raw):
		// A continuation, a Conversations API conversation or a stored
		// prompt template carries the conversation instead.
		if !set(top["previous_response_id"]) && !set(top["conversation"]) && !set(top["prompt"]) {
			return invalid("input", "missing required parameter: 'input'")
		}
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return invalid("input", "input is not a valid string")
		}
		conv.add("user", s)
	case raw[0] == '[':
		n, ok := jsonscan.CountElements(raw)
		if !ok {
			return invalid("input", "input must be a string or an array of input items")
		}
		// At most a turn an item (tool calls and outputs are none), after
		// the instructions. The items are read as a second walk finds
		// them: a list of them would be a third walk, and 24 bytes an item.
		conv.msgs = slices.Grow(conv.msgs, n)
		var obj jsonscan.Object // each item's members in turn
		i := 0
		jsonscan.EachElement(raw, func(ir []byte) bool {
			obj, err = addItem(&conv, ir, i, obj)
			i++
			return err == nil
		})
		if err != nil {
			return err
		}
	default:
		return invalid("input", "input must be a string or an array of input items")
	}
	conv.finish(r)
	store := true
	if _, set := top["store"]; set {
		b, err := optBool(top, "store")
		if err != nil {
			return err
		}
		store = b || isNull(top["store"])
	}
	r.NoStore = !store
	if r.PreviousResponseID != "" {
		r.NativeOnly = append(r.NativeOnly, "previous_response_id")
	}
	background, err := optBool(top, "background")
	if err != nil {
		return err
	}
	if background {
		// Read later by its id: only a provider that stores answers.
		r.NativeOnly = append(r.NativeOnly, "background")
	}

	if err := readTools(top, r); err != nil {
		return err
	}
	if v, ok := top["text"]; ok && !isNull(v) {
		var t struct {
			Format struct {
				Type   string          `json:"type"`
				Schema json.RawMessage `json:"schema"`
				Strict json.RawMessage `json:"strict"`
			} `json:"format"`
			Verbosity json.RawMessage `json:"verbosity"`
		}
		if json.Unmarshal(v, &t) != nil {
			return invalid("text", "text must be an object")
		}
		if set(t.Verbosity) && !slices.Contains(r.Params, "verbosity") {
			// Chat Completions' name, as the router's parameter rules
			// know it.
			r.Params = append(r.Params, "verbosity")
		}
		if t.Format.Type == "json_schema" {
			r.StructuredOutput = true
			r.OutputSchema, r.OutputSchemaAt = t.Format.Schema, "text.format.schema"
			r.OutputStrict = string(t.Format.Strict) == "true"
			// The router's parameter rules know structured output by its
			// Chat Completions name.
			if !slices.Contains(r.Params, "response_format") {
				r.Params = append(r.Params, "response_format")
			}
		} else if t.Format.Type != "" && t.Format.Type != "text" {
			// json_object: the translation to Claude's Messages API
			// cannot carry it (no JSON mode without a schema), as
			// Chat Completions' response_format json_object.
			if err := checkTypeName(paramAt("text.format.type"), t.Format.Type); err != nil {
				return err
			}
			r.NativeOnly = append(r.NativeOnly, "text.format "+t.Format.Type)
		}
		r.addText(string(v))
	}
	r.NativeOnly = append(r.NativeOnly, responsesNativeOnly(top)...)
	r.Moderation = set(top["moderation"])
	r.Conversation = storedID(top, "conversation")
	if stored := storedReference(top); stored != "" {
		r.StoredAtOpenAI = stored // named before anything in input
	}
	r.MaxOutputTokens, err = maxTokens(top, "max_output_tokens")
	return err
}

// addItem reads input item i into conv, its members into buf's memory; it
// returns that memory for the next item.
func addItem(conv *conversation, raw json.RawMessage, i int, buf jsonscan.Object) (jsonscan.Object, error) {
	it, buf, ok := readItem(raw, buf)
	if !ok {
		return buf, invalid(fmt.Sprintf("input[%d]", i), "input[%d] must be an object", i)
	}
	list := paramAt("input")
	at := list.elem(i)
	switch {
	case it.Role != "":
		text, err := contentText(it.Content, at.member("content"), conv)
		if err != nil {
			return buf, err
		}
		conv.add(it.Role, text)
	case it.Type == "function_call":
		conv.extra(it.Name, it.Arguments)
	case it.Type == "custom_tool_call":
		conv.extra(it.Name, it.Input)
	case (it.Type == "function_call_output" || it.Type == "custom_tool_call_output") && len(it.Output) > 0 && it.Output[0] == '[':
		// Tool output is read by the model (tokens) but is not the user's
		// question, so it does not become the routed prompt. As parts it
		// may hold images and files (a tool that fetched a PDF), which
		// the model must read like a user's.
		text, err := contentText(it.Output, at.member("output"), conv)
		if err != nil {
			return buf, err
		}
		conv.extra(text)
	case it.Type == "function_call_output" || it.Type == "custom_tool_call_output":
		// A string output is read as its text: its JSON escapes (\" and
		// \n) are not what the model reads, and would count half again
		// for a JSON result. Another value goes as it is.
		text, ok := optText(it.Output)
		if !ok {
			text = string(it.Output)
		}
		conv.extra(text)
	case it.Type == "input_image":
		conv.images++
		conv.storedAtOpenAI("file", it.StoredID)
	case it.Type == "input_file":
		conv.files++
		conv.filePages += filePages(it.FileData)
		conv.storedAtOpenAI("file", it.StoredID)
	case it.Type == "item_reference":
		conv.storedAtOpenAI("item_reference", it.StoredID)
		conv.refs = append(conv.refs, it.StoredID)
		conv.ids = append(conv.ids, it.StoredID)
	}
	if it.ID != "" {
		conv.ids = append(conv.ids, it.ID)
	}
	return buf, nil
}

// readItem reads an input item of a validated body, its members into
// buf's memory (nil: its own); it returns that memory for the next item.
func readItem(raw []byte, buf jsonscan.Object) (responseItem, jsonscan.Object, bool) {
	var it responseItem
	if jsonscan.IsNull(raw) {
		return it, buf, true // a null item carries nothing, as encoding/json read it
	}
	obj, ok := jsonscan.ParseObjectInto(buf, raw)
	if !ok {
		return it, buf, false
	}
	var okType, okRole, okArgs, okName bool
	it.Type, okType = optText(obj.Get("type"))
	it.Role, okRole = knownText(obj.Get("role"), chatRoles)
	it.Arguments, okArgs = optText(obj.Get("arguments"))
	it.Name, okName = optText(obj.Get("name"))
	it.Content, it.Output = obj.Get("content"), obj.Get("output")
	okFile, okID := true, true
	switch it.Type {
	case "input_file":
		it.FileData, okFile = optText(obj.Get("file_data"))
		it.StoredID, okID = optText(obj.Get("file_id"))
	case "input_image":
		it.StoredID, okID = optText(obj.Get("file_id"))
	case "item_reference":
		it.StoredID, okID = optText(obj.Get("id"))
	case "custom_tool_call":
		it.Input, _ = optText(obj.Get("input")) // counted where it is a string; the provider judges it
	case "":
		// An item_reference may leave out its type (OpenAI's Go SDK
		// sends {"id": "msg_…"}); any other item needs a type or a role.
		if id, ok := optText(obj.Get("id")); ok && id != "" && it.Role == "" {
			it.Type, it.StoredID = "item_reference", id
		}
	}
	if it.Type != "item_reference" {
		// Not one the client must send as a string: the provider judges
		// another value.
		it.ID, _ = optText(obj.Get("id"))
	}
	return it, obj, okType && okRole && okArgs && okName && okFile && okID
}
