package upstream

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// responsesRequest is the part of a Responses API body that has an
// Anthropic equivalent, plus the members whose meaning Claude cannot honour
// and which are refused rather than dropped. Everything else (reasoning,
// store, metadata, include, truncation, service_tier, prompt_cache_key,
// text.verbosity...) is not sent: it either has no
// Messages counterpart or only concerns OpenAI's side.
type responsesRequest struct {
	Instructions       string           `json:"instructions"`
	Input              json.RawMessage  `json:"input"`
	PreviousResponseID string           `json:"previous_response_id"`
	Conversation       json.RawMessage  `json:"conversation"`
	Prompt             json.RawMessage  `json:"prompt"`
	Background         bool             `json:"background"`
	MaxOutputTokens    *int             `json:"max_output_tokens"`
	Temperature        *float64         `json:"temperature"`
	TopP               json.RawMessage  `json:"top_p"`
	Stream             bool             `json:"stream"`
	Tools              []responsesTool  `json:"tools"`
	ToolChoice         json.RawMessage  `json:"tool_choice"`
	ParallelToolCalls  *bool            `json:"parallel_tool_calls"`
	User               string           `json:"user"`
	SafetyIdentifier   string           `json:"safety_identifier"`
	Text               *responsesFormat `json:"text"`
}

// responsesTool is a Responses tool: function tools are flat there
// (name and parameters beside type, not under `function`).
type responsesTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict"`
}

type responsesFormat struct {
	Format *struct {
		Type   string          `json:"type"`
		Schema json.RawMessage `json:"schema"`
		Strict formatStrict    `json:"strict"`
	} `json:"format"`
}

// inputItem holds the members of every input item kind we translate.
type inputItem struct {
	Type    string
	Role    string
	Content json.RawMessage
	// function_call and function_call_output
	CallID    string
	Name      string
	Arguments string
	Output    json.RawMessage
}

// inputPart is one content part of an input message or tool output.
type inputPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Refusal  string `json:"refusal"`
	ImageURL string `json:"image_url"`
	// file_id, and an input_file's file_data, file_url and filename
	fileSource
}

// ResponsesToAnthropic translates a Responses API body into an Anthropic
// Messages body for m: instructions and system or developer messages
// become `system`, input messages user and assistant turns (neighbours of
// one role merged, as Anthropic wants turns to alternate), function_call
// items tool_use blocks and function_call_output items tool_result blocks,
// function tools client tools, and tool_choice, parallel_tool_calls,
// max_output_tokens (max_tokens, required there, defaults as for Chat
// Completions), temperature (capped at 1), top_p and user their Anthropic
// forms. Parameters m cannot take are dropped first, as for OpenAI
// upstreams. What needs state stored at OpenAI (previous_response_id,
// conversation, prompt, item_reference, background) and what Claude cannot
// read (built-in tools, files other than PDFs, audio, JSON output formats) is an EInvalid
// error naming it and m.
func ResponsesToAnthropic(raw []byte, m router.Model) ([]byte, error) {
	obj, err := scanObject(raw)
	if err != nil {
		return nil, err
	}
	dropUnsupported(&obj, APIResponses, m)
	var req responsesRequest
	if err := decodeRequest(obj.encode(), &req, "Responses"); err != nil {
		return nil, err
	}
	if err := refuseStored(req, m); err != nil {
		return nil, err
	}
	out := anthropicRequest{Model: upstreamModel(m), Stream: req.Stream, MaxTokens: defaultMaxTokens(m)}
	var used claudeSchemaCount
	if f := req.Text; f != nil && f.Format != nil && f.Format.Type == "json_schema" {
		if out.OutputConfig, used, err = claudeFormat(responsesSchemaParam, f.Format.Schema, bool(f.Format.Strict), m); err != nil {
			return nil, err
		}
	} else if f != nil && f.Format != nil && f.Format.Type != "" && f.Format.Type != "text" {
		return nil, router.Errorf(router.EInvalid, "text.format %s is not supported by %s", f.Format.Type, modelID(m))
	}
	if n := req.MaxOutputTokens; n != nil && *n > 0 {
		out.MaxTokens = *n
	}
	out.Temperature, out.TopP = samplingForClaude(req.Temperature, nullToNil(req.TopP))
	var system []string
	if strings.TrimSpace(req.Instructions) != "" {
		system = append(system, req.Instructions)
	}
	more, msgs, err := inputTurns(req.Input, m)
	if err != nil {
		return nil, err
	}
	out.System, out.Messages = strings.Join(append(system, more...), "\n\n"), msgs
	if len(out.Messages) == 0 {
		return nil, router.Errorf(router.EInvalid, "the request has no message content to send to %s", modelID(m))
	}
	if out.Messages[len(out.Messages)-1].Role == "assistant" {
		// OpenAI answers such a conversation with a new turn; Claude
		// would take the last turn as the start of its answer and go on
		// with it (newer models refuse it), so another model answers.
		return nil, router.Errorf(router.EInvalid,
			"the input ends with an assistant turn, which %s would continue rather than answer: end it with a user message or a function call's output", modelID(m))
	}
	var strict []bool
	for _, t := range req.Tools {
		if t.Type != "" && t.Type != "function" {
			return nil, router.Errorf(router.EInvalid, "tool type %s is not supported by %s", quotedCut(t.Type), modelID(m))
		}
		schema := nullToNil(t.Parameters)
		if len(schema) == 0 {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out.Tools = append(out.Tools, anthropicTool{Name: t.Name, Description: t.Description, InputSchema: schema})
		strict = append(strict, t.Strict)
	}
	claudeStrictTools(out.Tools, strict, used, m)
	// A choice among no tools asks nothing of Claude, and Anthropic refuses
	// any but none on a call without tools: it is dropped.
	if len(out.Tools) > 0 {
		allowed, err := out.allowOnly(req.ToolChoice, m)
		if err != nil {
			return nil, err
		}
		if !allowed {
			if out.ToolChoice, err = responsesToolChoice(req.ToolChoice, m); err != nil {
				return nil, err
			}
		}
		out.ToolChoice = withParallel(out.ToolChoice, req.ParallelToolCalls)
	}
	declareHistoryTools(&out)
	out.Metadata = claudeMetadata(endUser(req.SafetyIdentifier, req.User))
	return marshalPlain(out)
}

// refuseStored refuses what only OpenAI's stored state can answer: Claude
// keeps nothing between calls, so a conversation must come whole in input.
func refuseStored(req responsesRequest, m router.Model) error {
	switch {
	case req.PreviousResponseID != "":
		return router.Errorf(router.EInvalid,
			"previous_response_id cannot continue a conversation at %s: send the whole conversation in input", modelID(m))
	case len(nullToNil(req.Conversation)) > 0:
		return router.Errorf(router.EInvalid,
			"conversation cannot be continued at %s: send the whole conversation in input", modelID(m))
	case len(nullToNil(req.Prompt)) > 0:
		return router.Errorf(router.EInvalid, "stored prompts are not supported by %s: send the instructions and input", modelID(m))
	case req.Background:
		return router.Errorf(router.EInvalid, "background responses are not supported by %s", modelID(m))
	}
	return nil
}

// responsesToolChoice maps "auto", "required", "none" and a function
// choice ({"type":"function","name":...}, flat as Responses has it).
func responsesToolChoice(raw json.RawMessage, m router.Model) (block, error) {
	if len(nullToNil(raw)) == 0 {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "auto":
			return block{"type": "auto"}, nil
		case "required":
			return block{"type": "any"}, nil
		case "none":
			return block{"type": "none"}, nil
		}
		return nil, router.Errorf(router.EInvalid, "unknown tool_choice %s", quotedCut(s))
	}
	var c struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, router.Errorf(router.EInvalid, "tool_choice must be a string or an object")
	}
	if c.Type == "function" && c.Name != "" {
		return block{"type": "tool", "name": c.Name}, nil
	}
	// Built-in and custom tool choices have no Anthropic form (allowed_tools
	// is read before, by allowOnly).
	return nil, router.Errorf(router.EInvalid, "tool_choice type %s is not supported by %s", quotedCut(c.Type), modelID(m))
}

// turns builds Anthropic messages, merging neighbours of one role: the
// Messages API wants user and assistant turns to alternate, and tool
// results in the user turn right after the assistant's tool calls.
type turns []anthropicMessage

func (t *turns) add(role string, blocks ...block) {
	if len(blocks) == 0 {
		return
	}
	if n := len(*t); n > 0 && (*t)[n-1].Role == role {
		(*t)[n-1].Content = append((*t)[n-1].Content, blocks...)
		return
	}
	*t = append(*t, anthropicMessage{Role: role, Content: blocks})
}

// resultsFirst moves each user turn's tool_result blocks before its other
// blocks, where Anthropic requires them; a client may have put a user
// message before the outputs of the calls it answers.
func (t turns) resultsFirst() {
	for _, msg := range t {
		if msg.Role != "user" {
			continue
		}
		slices.SortStableFunc(msg.Content, func(a, b block) int {
			return btoi(b["type"] == "tool_result") - btoi(a["type"] == "tool_result")
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// inputTurns reads input: a string is one user message, a list holds
// items. It returns the system texts found among the items and the turns.
func inputTurns(raw json.RawMessage, m router.Model) ([]string, []anthropicMessage, error) {
	raw = nullToNil(raw)
	if len(raw) == 0 {
		return nil, nil, nil
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		var t turns
		if strings.TrimSpace(s) != "" {
			t.add("user", block{"type": "text", "text": s})
		}
		return nil, t, nil
	}
	items, ok := jsonscan.Elements(raw)
	if !ok {
		return nil, nil, router.Errorf(router.EInvalid, "input must be a string or a list of input items")
	}
	var system []string
	var t turns
	for i, ir := range items {
		it, what := readInputItem(ir)
		if what != "" {
			return nil, nil, router.Errorf(router.EInvalid, "input[%d]: malformed input item: %s", i, what)
		}
		text, err := addItem(&t, it, m)
		if err != nil {
			return nil, nil, router.Errorf(router.EInvalid, "input[%d]: %s", i, router.ErrorMessage(err))
		}
		if text != "" {
			system = append(system, text)
		}
	}
	t.resultsFirst()
	return system, t, nil
}

// addItem adds one input item to t; a system or developer message's text
// is returned instead, for `system`.
func addItem(t *turns, it inputItem, m router.Model) (string, error) {
	typ := it.Type
	if typ == "" && it.Role != "" {
		typ = "message" // the short form: {"role": ..., "content": ...}
	}
	switch typ {
	case "message":
		return addMessage(t, it, m)
	case "function_call":
		if it.CallID == "" {
			return "", router.Errorf(router.EInvalid, "function_call without call_id")
		}
		t.add("assistant", block{"type": "tool_use", "id": anthropicToolID(it.CallID), "name": it.Name, "input": toolInput(it.Arguments)})
	case "function_call_output":
		if it.CallID == "" {
			return "", router.Errorf(router.EInvalid, "function_call_output without call_id")
		}
		content, err := toolOutput(it.Output, m)
		if err != nil {
			return "", err
		}
		t.add("user", block{"type": "tool_result", "tool_use_id": anthropicToolID(it.CallID), "content": content})
	case "reasoning":
		// Another model's reasoning (summaries, OpenAI-encrypted content)
		// means nothing to Claude, whose own thinking needs Anthropic's
		// signature; the answers it led to are in the other items.
	case "item_reference":
		return "", router.Errorf(router.EInvalid, "item_reference points at an item stored at OpenAI, which %s cannot see: send the item itself", modelID(m))
	default:
		return "", router.Errorf(router.EInvalid, "input item type %s is not supported by %s", quotedCut(typ), modelID(m))
	}
	return "", nil
}

func addMessage(t *turns, it inputItem, m router.Model) (string, error) {
	ps, err := inputParts(it.Content)
	if err != nil {
		return "", err
	}
	switch it.Role {
	case "system", "developer":
		texts := make([]string, 0, len(ps))
		for _, p := range ps {
			if p.Type != "input_text" && p.Type != "output_text" {
				return "", router.Errorf(router.EInvalid, "%s messages take text only, not %s", it.Role, quotedCut(p.Type))
			}
			texts = append(texts, p.Text)
		}
		if text := strings.Join(texts, "\n"); strings.TrimSpace(text) != "" {
			return text, nil
		}
		return "", nil
	case "user", "assistant":
		blocks, err := partBlocks(ps, m)
		if err != nil {
			return "", err
		}
		t.add(it.Role, blocks...)
		return "", nil
	}
	return "", router.Errorf(router.EInvalid, "role %s is not supported by %s", quotedCut(it.Role), modelID(m))
}

// inputParts reads message content: a string is one input_text part.
func inputParts(raw json.RawMessage) ([]inputPart, error) {
	raw = nullToNil(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		return []inputPart{{Type: "input_text", Text: s}}, nil
	}
	var ps []inputPart
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, router.Errorf(router.EInvalid, "content must be a string or a list of content parts")
	}
	return ps, nil
}

// partBlocks turns text, refusal, image and file (PDF) parts into
// Anthropic blocks;
// blank texts are left out because Anthropic rejects them.
func partBlocks(ps []inputPart, m router.Model) ([]block, error) {
	var blocks []block
	for _, p := range ps {
		switch p.Type {
		case "input_text", "output_text", "refusal":
			if text := p.Text + p.Refusal; strings.TrimSpace(text) != "" {
				blocks = append(blocks, block{"type": "text", "text": text})
			}
		case "input_image":
			if p.ImageURL == "" {
				// A file_id names a file uploaded to OpenAI.
				return nil, router.Errorf(router.EInvalid, "input_image without image_url (file_id) is not supported by %s", modelID(m))
			}
			blocks = append(blocks, block{"type": "image", "source": imageSource(p.ImageURL)})
		case "input_file":
			b, err := documentBlock(p.fileSource, "input_file", modelID(m))
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, b)
		default:
			return nil, router.Errorf(router.EInvalid, "content part %s is not supported by %s", quotedCut(p.Type), modelID(m))
		}
	}
	return blocks, nil
}

// toolOutput is a function_call_output's output as tool_result content: a
// string as it is, a list of parts as text, image and document blocks
// (Anthropic takes all three in a tool_result).
func toolOutput(raw json.RawMessage, m router.Model) (any, error) {
	raw = nullToNil(raw)
	if len(raw) == 0 {
		return "", nil
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		return s, nil
	}
	var ps []inputPart
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, router.Errorf(router.EInvalid, "output must be a string or a list of content parts")
	}
	blocks, err := partBlocks(ps, m)
	if err != nil {
		return nil, err
	}
	if blocks == nil {
		return "", nil
	}
	return blocks, nil
}

// readInputItem reads an input item of a request ResponsesToAnthropic has
// decoded (so valid JSON) in one pass; it returns what is wrong, "" when
// nothing is. A null item is an empty one, as encoding/json read it.
func readInputItem(raw []byte) (inputItem, string) {
	var it inputItem
	if jsonscan.IsNull(raw) {
		return it, ""
	}
	obj, ok := jsonscan.ParseObject(raw)
	if !ok {
		return it, "not an object"
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"type", &it.Type}, {"role", &it.Role}, {"call_id", &it.CallID}, {"name", &it.Name}, {"arguments", &it.Arguments}} {
		if *f.dst, ok = stringMember(obj.Get(f.name)); !ok {
			return it, f.name + " must be a string"
		}
	}
	it.Content, it.Output = obj.Get("content"), obj.Get("output")
	return it, ""
}
