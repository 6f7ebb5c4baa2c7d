package openai

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
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
	Role    string
	Content json.RawMessage
}

// messagesBlock is a content block as routing reads it; each type uses a
// few of these members.
type messagesBlock struct {
	Type     string
	Text     string
	Name     string
	Input    json.RawMessage
	Content  json.RawMessage // tool_result: string or blocks
	Thinking string
	Source   *blockSource
}

type blockSource struct {
	Type string
	Data string
}

func parseMessages(top map[string]json.RawMessage, r *Request) error {
	var err error
	if r.MaxOutputTokens, err = maxTokens(top, "max_tokens"); err != nil {
		return err
	}
	if r.MaxOutputTokens == 0 && r.API == Messages {
		return invalid("max_tokens", "missing required parameter: 'max_tokens'")
	}
	sc := messagesScan{conv: &conversation{}}
	if err := sc.params(top); err != nil {
		return err
	}
	if err := sc.system(top["system"]); err != nil {
		return err
	}
	if r.Thread, r.PreviousMessageID, err = messagesThread(top["thread"]); err != nil {
		return err
	}
	raw, ok := top["messages"]
	if !ok || isNull(raw) {
		return invalid("messages", "missing required parameter: 'messages'")
	}
	turns, ok := jsonscan.Elements(raw)
	if !ok {
		return invalid("messages", "messages must be an array of message objects")
	}
	if len(turns) == 0 {
		// A thread continuation with no new message has the model go on
		// from the thread's last answer (Anthropic's SDKs send one to
		// resume an answer that stopped with pause_turn): the thread holds
		// the conversation. Anything else with none, Anthropic refuses.
		if r.API != Messages || r.Thread != ThreadContinue {
			return invalid("messages", "messages must contain at least one message (only a thread continuation may send none)")
		}
		r.Resumes = true
	}
	r.MessageCount = len(turns)
	sc.conv.msgs = slices.Grow(sc.conv.msgs, len(turns)) // a turn each, after the system prompt
	for i, tr := range turns {
		if err := sc.turn(tr, i, i == len(turns)-1); err != nil {
			return err
		}
	}
	sc.conv.finish(r)
	if err := sc.outputFormat(top["output_config"], top["output_format"], r); err != nil {
		return err
	}
	if nonEmpty(top["mcp_servers"]) {
		// The MCP connector's tools come from these servers, through
		// Anthropic's API alone (its first beta declares no tools entry
		// for them): a translation would answer without the tools.
		sc.note("mcp_servers (the MCP connector's tools)")
	}
	if sc.tooMany {
		return tooManyTypes("messages", "kinds of content only the Messages API carries")
	}
	r.NativeOnly = sc.nativeOnly
	if r.API == Messages {
		if err := checkThinkingBudget(top["thinking"]); err != nil {
			return err
		}
		if err := checkSamplingRanges(top); err != nil {
			return err
		}
	}
	r.Thinking, r.ThinkingBudget = messagesThinking(top["thinking"])

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

// minThinkingBudget is the smallest budget_tokens Anthropic takes for
// extended thinking with a budget ({"type": "enabled"}).
const minThinkingBudget = 1024

// checkThinkingBudget refuses enabled thinking whose budget_tokens is
// missing, not a number, or under 1,024, as Anthropic's API refuses it
// (400 invalid_request_error): found here, the call is the client's error
// before routing, rather than Claude's 400 after it, or a reasoning effort
// an OpenAI model's translation would make of it as if it were valid.
// Only that is checked. A budget at or above max_tokens is left to the
// model: interleaved thinking lets the budget exceed max_tokens, and
// whether a call has it depends on the model and the anthropic-beta header.
// Other types (disabled, adaptive, which takes no budget, and any type
// Anthropic adds) pass as they are.
func checkThinkingBudget(raw json.RawMessage) error {
	if len(raw) == 0 || isNull(raw) {
		return nil
	}
	var t struct {
		Type         string          `json:"type"`
		BudgetTokens json.RawMessage `json:"budget_tokens"`
	}
	if json.Unmarshal(raw, &t) != nil || t.Type != "enabled" {
		return nil
	}
	if len(t.BudgetTokens) == 0 || isNull(t.BudgetTokens) {
		return invalid("thinking.budget_tokens", `thinking.budget_tokens: missing required parameter for thinking of "type": "enabled" (a number of tokens, at least %d)`, minThinkingBudget)
	}
	var n float64
	if json.Unmarshal(t.BudgetTokens, &n) != nil {
		return invalid("thinking.budget_tokens", "thinking.budget_tokens: must be a number of tokens, at least %d", minThinkingBudget)
	}
	if n < minThinkingBudget {
		return invalid("thinking.budget_tokens", "thinking.budget_tokens: must be at least %d, got %g", minThinkingBudget, n)
	}
	return nil
}

// checkSamplingRanges refuses a temperature or top_p outside 0 to 1, or
// a top_k under 0 or with a fractional part, as Anthropic's Messages API
// refuses them (400 invalid_request_error): its reference gives
// temperature and top_p a minimum of 0 and a maximum of 1, and top_k, an
// integer, a minimum of 0. Found here, such a call is the client's error
// before routing, rather than Claude's 400 after it, or a temperature an
// OpenAI model's translation would carry as if it were valid (OpenAI takes
// up to 2). params has checked they are numbers. Rules Anthropic leaves to
// the model, such as Claude Sonnet 4.5 refusing temperature beside top_p,
// are not checked: the model is not known yet.
func checkSamplingRanges(top map[string]json.RawMessage) error {
	for _, k := range []string{"temperature", "top_p"} {
		if v, ok := top[k]; ok && !isNull(v) {
			var f float64
			if json.Unmarshal(v, &f) == nil && (f < 0 || f > 1) {
				return invalid(k, "%s: must be between 0 and 1, got %g", k, f)
			}
		}
	}
	if v, ok := top["top_k"]; ok && !isNull(v) {
		var f float64
		if json.Unmarshal(v, &f) == nil && (f < 0 || f != math.Trunc(f)) {
			return invalid("top_k", "top_k: must be a whole number, 0 or more, got %g", f)
		}
	}
	return nil
}

// messagesThinking reads a Messages call's thinking member: whether it
// turns extended thinking on (enabled or adaptive), and the budget of
// enabled thinking. The expected cost reads it, not the forwarding, so a
// member of another form is left for Anthropic to refuse.
func messagesThinking(raw json.RawMessage) (on bool, budget int) {
	if len(raw) == 0 || isNull(raw) {
		return false, 0
	}
	var t struct {
		Type         string  `json:"type"`
		BudgetTokens float64 `json:"budget_tokens"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return false, 0
	}
	switch t.Type {
	case "enabled":
		return true, int(max(0, min(t.BudgetTokens, math.MaxInt32)))
	case "adaptive":
		return true, 0
	}
	return false, 0
}

// params checks the shape of the parameters every model's request
// is built from, so a malformed one is the client's 400 here rather than a
// failed translation for each candidate in turn.
func (sc *messagesScan) params(top map[string]json.RawMessage) error {
	for _, k := range []string{"temperature", "top_p", "top_k"} {
		if v, ok := top[k]; ok && !isNull(v) {
			var f float64
			if json.Unmarshal(v, &f) != nil {
				return invalid(k, "%s must be a number", k)
			}
		}
	}
	if v, ok := top["stop_sequences"]; ok && !isNull(v) {
		var ss []string
		if json.Unmarshal(v, &ss) != nil {
			return invalid("stop_sequences", "stop_sequences must be an array of strings")
		}
		if len(ss) > maxChatStops {
			sc.note(fmt.Sprintf("more than %d stop_sequences", maxChatStops))
		}
	}
	if v, ok := top["tool_choice"]; ok && !isNull(v) {
		var tc struct {
			Type string `json:"type"`
			Name string `json:"name"`
		}
		if json.Unmarshal(v, &tc) != nil || !slices.Contains([]string{"auto", "any", "tool", "none"}, tc.Type) {
			return invalid("tool_choice", `tool_choice must be an object with type "auto", "any", "tool" or "none"`)
		}
		if tc.Type == "tool" && tc.Name == "" {
			return invalid("tool_choice.name", `tool_choice of type "tool" needs the tool's name`)
		}
	}
	return nil
}

// outputFormat reads output_config.format, Anthropic's structured outputs:
// a JSON schema the answer must follow ({"type": "json_schema", "schema":
// {...}}), which a Chat Completions translation carries as response_format
// to models with structured output (see [Request.StructuredOutput]), or,
// where output_config sets none, the same format as the top-level
// output_format, the structured outputs beta's first form, which Anthropic
// still takes and its SDKs' beta.messages still send. A format of another
// type has no such form: only Claude takes it.
func (sc *messagesScan) outputFormat(raw, legacy json.RawMessage, r *Request) error {
	var oc struct {
		Format json.RawMessage `json:"format"`
	}
	if !isNull(raw) && json.Unmarshal(raw, &oc) != nil {
		return invalid("output_config", "output_config must be an object")
	}
	param := "output_config.format"
	if isNull(oc.Format) {
		oc.Format, param = legacy, "output_format"
	}
	if isNull(oc.Format) {
		return nil
	}
	var f struct {
		Type   string          `json:"type"`
		Schema json.RawMessage `json:"schema"`
	}
	if json.Unmarshal(oc.Format, &f) != nil {
		return invalid(param, `%s must be an object: {"type": "json_schema", "schema": {...}}`, param)
	}
	format := paramAt(param)
	if err := checkTypeName(format.member("type"), f.Type); err != nil {
		return err
	}
	if f.Type != "json_schema" {
		sc.note(fmt.Sprintf("%s of type %q", param, f.Type))
		return nil
	}
	if _, ok := jsonscan.ParseObject(f.Schema); !ok {
		return invalid(param+".schema", "%s.schema must be a JSON schema object", param)
	}
	r.StructuredOutput = true
	r.addText(string(f.Schema)) // the model reads the schema too
	return nil
}

// messagesScan reads a Messages body's system prompt and turns into the
// conversation routing reads, noting content only Anthropic's API carries.
type messagesScan struct {
	conv *conversation
	// nativeOnly lists content a Chat Completions translation cannot
	// carry (see [Request.NativeOnly]).
	nativeOnly []string
	// tooMany is set once more than maxTypeNames kinds were noted.
	tooMany bool
	// turnObj holds each turn's members in turn (see turn).
	turnObj jsonscan.Object
}

func (sc *messagesScan) note(what string) {
	switch {
	case slices.Contains(sc.nativeOnly, what):
	case len(sc.nativeOnly) == maxTypeNames:
		sc.tooMany = true
	default:
		sc.nativeOnly = append(sc.nativeOnly, what)
	}
}

// where a content sits: each place allows other blocks.
type contentPlace int

const (
	inSystem contentPlace = iota
	inTurn
	inToolResult
)

// system reads `system`: a string or a list of text blocks.
func (sc *messagesScan) system(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	text, _, err := sc.content(raw, paramAt("system"), inSystem)
	if err != nil {
		return err
	}
	if text != "" {
		sc.conv.add("system", text)
	}
	return nil
}

func (sc *messagesScan) turn(raw json.RawMessage, i int, last bool) error {
	list := paramAt("messages")
	at := list.elem(i)
	obj, ok := jsonscan.ParseObjectInto(sc.turnObj, raw)
	sc.turnObj = obj
	var t messagesTurn
	if ok {
		t.Role, ok = knownText(obj.Get("role"), messagesRoles)
		t.Content = obj.Get("content")
	}
	if !ok {
		param := at.String()
		return invalid(param, "%s must be an object with a string role", param)
	}
	if t.Role != "user" && t.Role != "assistant" {
		param := at.String()
		return invalid(param+".role", "%s.role must be \"user\" or \"assistant\" (the system prompt goes in the top-level `system`)", param)
	}
	if isNull(t.Content) {
		param := at.String()
		return invalid(param+".content", "missing required parameter: '%s.content'", param)
	}
	if empty := emptyContent(t.Content); empty && !(last && t.Role == "assistant") {
		// Anthropic's rule: only a final assistant turn (a prefill) may
		// be empty.
		param := at.String()
		return invalid(param+".content", "%s.content must not be empty (only a final assistant message may be)", param)
	} else if last && t.Role == "assistant" && !empty {
		// A prefill: Claude continues it, and the client prepends it to
		// the answer. An OpenAI-format model would answer it afresh
		// ("{" + "{...}").
		sc.note("an assistant prefill")
	}
	text, images, err := sc.content(t.Content, at.member("content"), inTurn)
	if err != nil {
		return err
	}
	sc.conv.images += images
	sc.conv.add(t.Role, text)
	return nil
}

// messagesBlockKinds are the block types routing reads whole; other types
// may reuse a member name with another shape (search_result's `source` is
// a string), so they are only named.
var messagesBlockKinds = []string{"text", "image", "tool_use", "server_tool_use", "tool_result", "document"}

// messagesBlockTypes and messagesRoles are the names most blocks and turns
// give, read without a copy (see knownText).
var (
	messagesBlockTypes = append([]string{"thinking", "redacted_thinking"}, messagesBlockKinds...)
	messagesRoles      = []string{"user", "assistant"}
)

// knownText reads a string member (or null) like optText, but one of
// names as the shared constant rather than a copy: a block's type and a
// turn's role are read for every block of every call.
func knownText(v []byte, names []string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		for _, n := range names {
			if string(v[1:len(v)-1]) == n {
				return n, true
			}
		}
	}
	return optText(v)
}

// maxChatStops is the most stop sequences Chat Completions takes.
const maxChatStops = 4

// chatCarries are the block types a Chat Completions translation carries.
var chatCarries = []string{"text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking"}

// content joins the text of a content (string or blocks) and counts its
// images. Text a model reads that is not a turn's own words (tool calls,
// tool results, documents) goes to the conversation's extra texts. param
// is formatted only for an error.
func (sc *messagesScan) content(raw json.RawMessage, param paramPath, place contentPlace) (string, int, error) {
	switch raw[0] {
	case '"':
		s, err := stringContent(raw, param)
		return s, 0, err
	case '[':
	default:
		return "", 0, notContent(param, place)
	}
	// The blocks are read as the array is walked: listing them first
	// (jsonscan.Elements) walked every turn's content twice and allocated
	// a list per turn.
	var b strings.Builder
	images := 0
	var obj jsonscan.Object // each block's members in turn
	var err error
	j := 0
	isArray := jsonscan.EachElement(raw, func(br []byte) bool {
		obj, err = sc.block(obj, br, param.elem(j), place, &b, &images)
		j++
		return err == nil
	})
	switch {
	case err != nil:
		return "", 0, err
	case !isArray:
		return "", 0, notContent(param, place)
	}
	return b.String(), images, nil
}

// block reads one block of a content (its path is block) into the
// content's text b and image count, using obj's memory for its members;
// it returns that memory for the next block.
func (sc *messagesScan) block(obj jsonscan.Object, br []byte, block paramPath, place contentPlace, b *strings.Builder, images *int) (jsonscan.Object, error) {
	obj, ok := jsonscan.ParseObjectInto(obj, br)
	var bl messagesBlock
	if ok {
		bl.Type, ok = knownText(obj.Get("type"), messagesBlockTypes)
	}
	if !ok {
		at := block.String()
		return obj, invalid(at, "%s must be a content block object", at)
	}
	if bl.Type == "" {
		at := block.String()
		return obj, invalid(at+".type", "%s is missing its type", at)
	}
	if err := checkTypeName(block.member("type"), bl.Type); err != nil {
		return obj, err
	}
	if place == inSystem && bl.Type != "text" {
		return obj, invalid(block.String(), "system accepts text blocks only, not %q", bl.Type)
	}
	if place == inToolResult && bl.Type == "tool_result" {
		// Anthropic takes none either. Read as a tool_result, each
		// level would scan everything below it again: a body nested
		// thousands deep would cost seconds of CPU in parsing alone.
		at := block.String()
		return obj, invalid(at, "%s is a tool_result inside a tool_result; a tool_result's content holds text, images and documents", at)
	}
	if slices.Contains(messagesBlockKinds, bl.Type) && !readBlock(obj, &bl) {
		at := block.String()
		return obj, invalid(at, "%s is not a valid %s block", at, bl.Type)
	}
	if bl.Source != nil {
		source := block.member("source")
		if err := checkTypeName(source.member("type"), bl.Source.Type); err != nil {
			return obj, err
		}
	}
	switch {
	case place == inToolResult && bl.Type == "image":
		sc.note("images inside tool_result")
	case bl.Type == "image" && bl.Source != nil && bl.Source.Type != "base64" && bl.Source.Type != "url":
		// A Files API reference ({"type":"file","file_id":...}) has
		// no Chat Completions form.
		sc.note(fmt.Sprintf("images with a %q source", bl.Source.Type))
	case !slices.Contains(chatCarries, bl.Type):
		sc.note(bl.Type + " blocks")
	}
	switch bl.Type {
	case "text":
		if bl.Text != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(bl.Text)
		}
	case "image":
		*images++
	case "tool_use", "server_tool_use":
		sc.conv.extra(bl.Name, string(bl.Input))
	case "tool_result":
		if isNull(bl.Content) {
			return obj, nil
		}
		text, imgs, err := sc.content(bl.Content, block.member("content"), inToolResult)
		if err != nil {
			return obj, err
		}
		*images += imgs
		// A tool's output is read by the model (tokens) but is not
		// the user's question, so it does not become the routed prompt.
		sc.conv.extra(text)
	case "document":
		switch src := bl.Source; {
		case src == nil:
		case src.Type == "text":
			sc.conv.extra(src.Data)
		case src.Type == "base64", src.Type == "url", src.Type == "file":
			// a PDF, billed by the page (a URL or file id counts as one)
			sc.conv.filePages += filePages(src.Data)
		}
	}
	// thinking blocks are the model's own earlier reasoning; other
	// block types carry nothing routing reads.
	return obj, nil
}

// notContent refuses a content that is neither a string nor a list of
// blocks.
func notContent(param paramPath, place contentPlace) error {
	kind := "content blocks"
	if place == inSystem {
		kind = "text blocks"
	}
	at := param.String()
	return invalid(at, "%s must be a string or an array of %s", at, kind)
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
	r.ToolCount = len(tools)
	list := paramAt("tools")
	for i, t := range tools {
		typ := t.Type
		if typ == "" {
			typ = CustomToolType
		}
		// Only a client tool is known by its name. Anthropic's toolsets
		// have none (mcp_toolset names its server in mcp_server_name):
		// Claude takes them, and other models are left out by their type.
		if typ == CustomToolType && t.Name == "" {
			return invalid(fmt.Sprintf("tools[%d].name", i), "tools[%d] is missing its name", i)
		}
		if typ == CustomToolType {
			r.ToolNames = append(r.ToolNames, t.Name)
		}
		el := list.elem(i)
		if err := checkTypeName(el.member("type"), typ); err != nil {
			return err
		}
		r.Tools = true
		if !slices.Contains(r.ToolTypes, typ) {
			if len(r.ToolTypes) == maxTypeNames {
				return tooManyTypes("tools", "tool types")
			}
			r.ToolTypes = append(r.ToolTypes, typ)
		}
	}
	return nil
}

// readBlock reads the members routing uses of a block whose type it reads
// whole. A source's data is read only where routing uses it (a text
// document), so an image's base64 is not decoded.
func readBlock(obj jsonscan.Object, bl *messagesBlock) bool {
	var okText, okName, okThinking bool
	bl.Text, okText = optText(obj.Get("text"))
	bl.Name, okName = optText(obj.Get("name"))
	bl.Thinking, okThinking = optText(obj.Get("thinking"))
	bl.Input, bl.Content = obj.Get("input"), obj.Get("content")
	if !okText || !okName || !okThinking {
		return false
	}
	src := obj.Get("source")
	if jsonscan.IsNull(src) {
		return true
	}
	so, ok := jsonscan.ParseObject(src)
	if !ok {
		return false
	}
	bl.Source = &blockSource{}
	if bl.Source.Type, ok = optText(so.Get("type")); !ok {
		return false
	}
	data := so.Get("data")
	// A document's base64 data is read for its page count; an image's is
	// not decoded at all.
	if bl.Source.Type == "text" || bl.Type == "document" && bl.Source.Type == "base64" {
		bl.Source.Data, ok = optText(data)
		return ok
	}
	return jsonscan.IsNull(data) || data[0] == '"'
}

// emptyContent reports a content that is an empty string or an empty list,
// however it is spaced (`[ ]` too). It reads no further than the first
// non-space byte: every turn's content passes here.
func emptyContent(raw []byte) bool {
	switch raw[0] {
	case '"':
		return string(raw) == `""`
	case '[':
		i := jsonscan.Space(raw, 1)
		return i < len(raw) && raw[i] == ']'
	}
	return false
}

// Message thread kinds ([Request.Thread]).
const (
	ThreadCreate   = "create"
	ThreadContinue = "continue"
)

// messagesThread reads `thread`: {"type": "create"}, or {"type":
// "continue", "previous_message_id": id}. Any other type is refused: the
// gateway decides where a thread's turns may go by what it knows of
// threads, and a turn of a kind it does not know could reach a model that
// lacks the conversation the thread holds.
func messagesThread(raw json.RawMessage) (kind, previous string, err error) {
	if isNull(raw) {
		return "", "", nil
	}
	var t struct {
		Type              string `json:"type"`
		PreviousMessageID string `json:"previous_message_id"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return "", "", invalid("thread", `thread must be an object: {"type": "create"} or {"type": "continue", "previous_message_id": "<id>"}`)
	}
	switch t.Type {
	case ThreadCreate:
		return t.Type, "", nil
	case ThreadContinue:
		if t.PreviousMessageID == "" {
			return "", "", invalid("thread.previous_message_id", "missing required parameter: 'thread.previous_message_id' (the id of the thread's latest answer)")
		}
		return t.Type, t.PreviousMessageID, nil
	}
	if len(t.Type) > maxTypeName {
		return "", "", invalid("thread.type", `thread.type must be "create" or "continue"`)
	}
	return "", "", invalid("thread.type", `thread.type must be "create" or "continue", not %q`, t.Type)
}
