package upstream

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// AnthropicVersion is the anthropic-version header sent with every call.
const AnthropicVersion = "2023-06-01"

// DefaultAnthropicMaxTokens fills max_tokens, which Anthropic requires and
// OpenAI clients often leave out.
const DefaultAnthropicMaxTokens = 4096

// chatRequest is the part of a Chat Completions body that has an
// Anthropic equivalent; other members have none and are not sent.
type chatRequest struct {
	Messages            []chatMessage       `json:"messages"`
	MaxTokens           *int                `json:"max_tokens"`
	MaxCompletionTokens *int                `json:"max_completion_tokens"`
	Temperature         *float64            `json:"temperature"`
	TopP                json.RawMessage     `json:"top_p"`
	Stop                json.RawMessage     `json:"stop"`
	Stream              bool                `json:"stream"`
	Tools               []chatTool          `json:"tools"`
	ToolChoice          json.RawMessage     `json:"tool_choice"`
	ParallelToolCalls   *bool               `json:"parallel_tool_calls"`
	User                string              `json:"user"`
	SafetyIdentifier    string              `json:"safety_identifier"`
	N                   *int                `json:"n"`
	ResponseFormat      *chatResponseFormat `json:"response_format"`
}

// chatResponseFormat is what the translation reads of a Chat call's
// response_format.
type chatResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema struct {
		Schema json.RawMessage `json:"schema"`
		Strict formatStrict    `json:"strict"`
	} `json:"json_schema"`
}

type chatMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  []chatToolCall  `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
	// Refusal is an OpenAI answer's refusal, sent back in the history.
	Refusal string `json:"refusal"`
}

type chatToolCall struct {
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      bool            `json:"strict"`
	} `json:"function"`
}

// chatPart is one content part of a Chat Completions message.
type chatPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Refusal  string `json:"refusal"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url"`
	File *fileSource `json:"file"`
}

// block is an Anthropic content block; a map keeps each kind's members.
type block = map[string]any

type anthropicMessage struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

type anthropicTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
	// Strict holds the model's input to InputSchema (claudeStrictTools).
	Strict bool `json:"strict,omitempty"`
}

type anthropicRequest struct {
	Model         string              `json:"model"`
	System        string              `json:"system,omitempty"`
	Messages      []anthropicMessage  `json:"messages"`
	MaxTokens     int                 `json:"max_tokens"`
	Temperature   *float64            `json:"temperature,omitempty"`
	TopP          json.RawMessage     `json:"top_p,omitempty"`
	StopSequences []string            `json:"stop_sequences,omitempty"`
	Stream        bool                `json:"stream,omitempty"`
	Tools         []anthropicTool     `json:"tools,omitempty"`
	ToolChoice    block               `json:"tool_choice,omitempty"`
	Metadata      *anthropicMetadata  `json:"metadata,omitempty"`
	OutputConfig  *claudeOutputConfig `json:"output_config,omitempty"`
}

type anthropicMetadata struct {
	UserID string `json:"user_id"`
}

// ToAnthropic translates a Chat Completions body into an Anthropic
// Messages body for m: system and developer messages become `system`,
// text and image parts become blocks, tool calls tool_use blocks, tool
// messages tool_result blocks, tools and tool_choice their Anthropic
// forms, stop becomes stop_sequences, and max_tokens (required there)
// defaults to 4096 or the model's smaller maximum. Parameters m cannot take
// are dropped first, as for OpenAI upstreams. Requests Anthropic cannot
// serve (audio or file parts, n > 1, JSON response formats) get EInvalid.
func ToAnthropic(raw []byte, m router.Model) ([]byte, error) {
	obj, err := scanObject(raw)
	if err != nil {
		return nil, err
	}
	dropUnsupported(&obj, APIChatCompletions, m)
	var req chatRequest
	if err := decodeRequest(obj.encode(), &req, "Chat Completions"); err != nil {
		return nil, err
	}
	out := anthropicRequest{Model: upstreamModel(m), Stream: req.Stream, TopP: req.TopP}
	if req.N != nil && *req.N > 1 {
		return nil, router.Errorf(router.EInvalid, "n > 1 is not supported by %s", modelID(m))
	}
	var used claudeSchemaCount
	if f := req.ResponseFormat; f != nil && f.Type == "json_schema" {
		if out.OutputConfig, used, err = claudeFormat(chatSchemaParam, f.JSONSchema.Schema, bool(f.JSONSchema.Strict), m); err != nil {
			return nil, err
		}
	} else if f != nil && f.Type != "" && f.Type != "text" {
		return nil, router.Errorf(router.EInvalid, "response_format %s is not supported by %s", f.Type, modelID(m))
	}
	out.MaxTokens = maxTokens(req, m)
	out.Temperature, out.TopP = samplingForClaude(req.Temperature, out.TopP)
	if out.StopSequences, err = stopSequences(req.Stop); err != nil {
		return nil, err
	}
	if out.System, out.Messages, err = anthropicMessages(req.Messages); err != nil {
		return nil, err
	}
	if n := len(out.Messages); n > 0 && out.Messages[n-1].Role == "assistant" {
		// As for a Responses input (ResponsesToAnthropic): OpenAI answers
		// with a new turn, Claude would continue this one.
		return nil, router.Errorf(router.EInvalid,
			"the messages end with an assistant turn, which %s would continue rather than answer: end them with a user or tool message", modelID(m))
	}
	var strict []bool
	for _, t := range req.Tools {
		if t.Type != "" && t.Type != "function" {
			return nil, router.Errorf(router.EInvalid, "tool type %s is not supported by %s", quotedCut(t.Type), modelID(m))
		}
		schema := t.Function.Parameters
		if len(schema) == 0 || string(schema) == "null" {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out.Tools = append(out.Tools, anthropicTool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
		strict = append(strict, t.Function.Strict)
	}
	claudeStrictTools(out.Tools, strict, used, m)
	// A choice among no tools is dropped, as the Responses and Messages
	// translations drop it: it asks nothing of Claude, and Anthropic
	// refuses any tool_choice but none on a call that declares no tools.
	if len(out.Tools) > 0 {
		if allowed, err := out.allowOnly(req.ToolChoice, m); err != nil {
			return nil, err
		} else if allowed {
			out.ToolChoice = withParallel(out.ToolChoice, req.ParallelToolCalls)
		} else if out.ToolChoice, err = toolChoice(req.ToolChoice, req.ParallelToolCalls); err != nil {
			return nil, err
		}
	}
	declareHistoryTools(&out)
	out.Metadata = claudeMetadata(endUser(req.SafetyIdentifier, req.User))
	return json.Marshal(out)
}

// claudeMetadata is the metadata a client's `user` (OpenAI's end-user id)
// becomes, nil for none.
func claudeMetadata(user string) *anthropicMetadata {
	if user == "" {
		return nil
	}
	return &anthropicMetadata{UserID: claudeUserID(user)}
}

// maxClaudeUserID is the longest metadata.user_id Anthropic takes.
const maxClaudeUserID = 256

// claudeUserID is a client's user as Anthropic's metadata.user_id: as it
// is when it reads as an opaque id (letters, digits, "_" and "-", a letter
// among them), else its hex SHA-256. OpenAI takes any string, and apps
// send an email address; Anthropic wants "a uuid, hash value, or other
// opaque identifier" and refuses an email address with a 400 that does not
// fail over ("user_id appears to contain an email address"), so such a
// call got that 400 where an OpenAI model would have answered. A phone
// number (digits alone) is hashed too. The hash still tells users apart,
// which is what the id is for.
func claudeUserID(user string) string {
	letter := false
	for _, r := range user {
		letter = letter || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	if letter && len(user) <= maxClaudeUserID && !strings.ContainsFunc(user, notToolIDChar) {
		return user
	}
	sum := sha256.Sum256([]byte(user))
	return hex.EncodeToString(sum[:])
}

// endUser is the metadata.user_id Claude gets: OpenAI's safety_identifier,
// which replaces `user` for telling end users apart in abuse detection
// (what Anthropic's user_id is for), else `user`.
func endUser(safetyIdentifier, user string) string {
	if safetyIdentifier != "" {
		return safetyIdentifier
	}
	return user
}

func maxTokens(req chatRequest, m router.Model) int {
	switch {
	case req.MaxCompletionTokens != nil && *req.MaxCompletionTokens > 0:
		return *req.MaxCompletionTokens
	case req.MaxTokens != nil && *req.MaxTokens > 0:
		return *req.MaxTokens
	}
	return defaultMaxTokens(m)
}

// defaultMaxTokens is max_tokens for a client that set no limit: 4096, or
// the model's smaller maximum.
func defaultMaxTokens(m router.Model) int {
	if m.MaxOutput > 0 && m.MaxOutput < DefaultAnthropicMaxTokens {
		return m.MaxOutput
	}
	return DefaultAnthropicMaxTokens
}

// samplingForClaude maps OpenAI's temperature (0-2) to Anthropic's (0-1)
// and keeps only temperature when both it and top_p are set: Claude's
// current models refuse the pair ("temperature and top_p cannot both be
// specified"), which OpenAI takes and many clients send (often top_p 1).
func samplingForClaude(temperature *float64, topP json.RawMessage) (*float64, json.RawMessage) {
	if temperature == nil {
		return nil, topP
	}
	v := min(*temperature, 1)
	return &v, nil
}

// stopSequences reads stop: a string or a list of strings. Empty and
// whitespace-only entries are left out: OpenAI takes them (stop: ["\n"]
// is common), Anthropic refuses the request.
func stopSequences(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var many []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		many = []string{one}
	} else if err := json.Unmarshal(raw, &many); err != nil {
		return nil, router.Errorf(router.EInvalid, "stop must be a string or a list of strings")
	}
	return slices.DeleteFunc(many, func(s string) bool { return strings.TrimSpace(s) == "" }), nil
}

func toolChoice(raw json.RawMessage, parallel *bool) (block, error) {
	var choice block
	if len(raw) > 0 && string(raw) != "null" {
		var s string
		var obj struct {
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		switch {
		case json.Unmarshal(raw, &s) == nil:
			switch s {
			case "auto":
				choice = block{"type": "auto"}
			case "required":
				choice = block{"type": "any"}
			case "none":
				choice = block{"type": "none"}
			default:
				return nil, router.Errorf(router.EInvalid, "unknown tool_choice %s", quotedCut(s))
			}
		case json.Unmarshal(raw, &obj) == nil && obj.Function.Name != "":
			choice = block{"type": "tool", "name": obj.Function.Name}
		default:
			return nil, router.Errorf(router.EInvalid, "tool_choice must be a string or a function choice")
		}
	}
	return withParallel(choice, parallel), nil
}

// withParallel turns parallel_tool_calls: false into Anthropic's
// disable_parallel_tool_use, which lives on tool_choice (auto when the
// client chose none).
func withParallel(choice block, parallel *bool) block {
	if parallel != nil && !*parallel {
		if choice == nil {
			choice = block{"type": "auto"}
		}
		if choice["type"] != "none" {
			choice["disable_parallel_tool_use"] = true
		}
	}
	return choice
}

// anthropicMessages splits the system text off and turns the rest into
// Anthropic messages, merging neighbours with the same role (tool
// results must all sit in the user message after the tool calls).
func anthropicMessages(msgs []chatMessage) (string, []anthropicMessage, error) {
	var system []string
	var out []anthropicMessage
	add := func(role string, blocks []block) {
		if len(blocks) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			return
		}
		out = append(out, anthropicMessage{Role: role, Content: blocks})
	}
	for i, msg := range msgs {
		switch msg.Role {
		case "system", "developer":
			text, err := plainText(msg.Content)
			if err != nil {
				return "", nil, router.Errorf(router.EInvalid, "messages[%d]: %v", i, err)
			}
			if text != "" {
				system = append(system, text)
			}
		case "user":
			blocks, err := contentBlocks(msg.Content)
			if err != nil {
				return "", nil, router.Errorf(router.EInvalid, "messages[%d]: %v", i, err)
			}
			add("user", blocks)
		case "assistant":
			blocks, err := contentBlocks(msg.Content)
			if err != nil {
				return "", nil, router.Errorf(router.EInvalid, "messages[%d]: %v", i, err)
			}
			if strings.TrimSpace(msg.Refusal) != "" {
				// The turn said no; dropped, the model would not know it
				// had, and the user turns around it would merge.
				blocks = append(blocks, block{"type": "text", "text": msg.Refusal})
			}
			for _, tc := range msg.ToolCalls {
				input := json.RawMessage(tc.Function.Arguments)
				if !json.Valid(input) || !strings.HasPrefix(strings.TrimSpace(tc.Function.Arguments), "{") {
					input = json.RawMessage(`{}`)
				}
				blocks = append(blocks, block{"type": "tool_use", "id": anthropicToolID(tc.ID), "name": tc.Function.Name, "input": input})
			}
			add("assistant", blocks)
		case "tool":
			text, err := plainText(msg.Content)
			if err != nil {
				return "", nil, router.Errorf(router.EInvalid, "messages[%d]: %v", i, err)
			}
			add("user", []block{{"type": "tool_result", "tool_use_id": anthropicToolID(msg.ToolCallID), "content": text}})
		default:
			return "", nil, router.Errorf(router.EInvalid, "messages[%d]: role %s is not supported for Anthropic models", i, quotedCut(msg.Role))
		}
	}
	if len(out) == 0 {
		return "", nil, router.Errorf(router.EInvalid, "messages must hold at least one user or assistant message")
	}
	return strings.Join(system, "\n\n"), out, nil
}

// parts reads message content: a string or a list of parts.
func parts(raw json.RawMessage) ([]chatPart, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if s, ok := jsonscan.Unquote(raw); ok {
		return []chatPart{{Type: "text", Text: s}}, nil
	}
	var ps []chatPart
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, errContent
	}
	return ps, nil
}

var errContent = router.Errorf(router.EInvalid, "content must be a string or a list of content parts")

// plainText joins the text parts of content (system and tool messages).
func plainText(raw json.RawMessage) (string, error) {
	ps, err := parts(raw)
	if err != nil {
		return "", err
	}
	var texts []string
	for _, p := range ps {
		if p.Type != "text" {
			return "", router.Errorf(router.EInvalid, "only text content is supported here, not %s", quotedCut(p.Type))
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// contentBlocks turns text, refusal, image and file (PDF) parts into
// Anthropic blocks;
// empty texts are left out because Anthropic rejects them.
func contentBlocks(raw json.RawMessage) ([]block, error) {
	ps, err := parts(raw)
	if err != nil {
		return nil, err
	}
	var blocks []block
	for _, p := range ps {
		switch p.Type {
		case "text", "refusal":
			text := p.Text + p.Refusal
			if strings.TrimSpace(text) != "" {
				blocks = append(blocks, block{"type": "text", "text": text})
			}
		case "image_url":
			if p.ImageURL == nil || p.ImageURL.URL == "" {
				return nil, router.Errorf(router.EInvalid, "image_url part without url")
			}
			blocks = append(blocks, block{"type": "image", "source": imageSource(p.ImageURL.URL)})
		case "file":
			if p.File == nil {
				return nil, router.Errorf(router.EInvalid, "file part without file")
			}
			b, err := documentBlock(*p.File, "file", "Anthropic models")
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, b)
		default:
			return nil, router.Errorf(router.EInvalid, "content part %s is not supported for Anthropic models", quotedCut(p.Type))
		}
	}
	return blocks, nil
}

// imageSource turns a data URL into a base64 source, its media type the
// one its bytes are (claudeImageType), and any other URL into a url source.
func imageSource(u string) block {
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if mediaType, isBase64 := strings.CutSuffix(meta, ";base64"); found && isBase64 {
			return block{"type": "base64", "media_type": claudeImageType(data, mediaType), "data": data}
		}
	}
	return block{"type": "url", "url": u}
}

// finishReason maps Anthropic's stop_reason to OpenAI's finish_reason.
func finishReason(stop string) string {
	switch stop {
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return "stop"
}

// declareHistoryTools names the tools the conversation used when the
// request declares none. OpenAI takes tool calls and results in the
// history of a call that offers no tools; Anthropic refuses them ("must
// define tools"). Each tool called before is declared with an open schema,
// and tool_choice none keeps Claude from calling them now, as the client
// offered none.
func declareHistoryTools(out *anthropicRequest) {
	if len(out.Tools) > 0 {
		return
	}
	var names []string
	for _, msg := range out.Messages {
		for _, b := range msg.Content {
			if name, ok := b["name"].(string); ok && b["type"] == "tool_use" && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		out.Tools = append(out.Tools, anthropicTool{Name: name, InputSchema: json.RawMessage(`{"type":"object","properties":{}}`)})
	}
	if len(names) > 0 {
		out.ToolChoice = block{"type": "none"}
	}
}

// anthropicToolID is a tool call id as Anthropic takes it (^[a-zA-Z0-9_-]+$):
// as it is when it fits, else with each other byte made "_" and a short
// hash of the original added, so two ids stay two. A call and its result
// map alike, so they still match. OpenAI's ids fit; other servers' and
// client frameworks' ("functions.get_weather:0") may not.
func anthropicToolID(id string) string {
	if id != "" && !strings.ContainsFunc(id, notToolIDChar) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	clean := []byte(id)
	for i, c := range clean {
		if notToolIDChar(rune(c)) {
			clean[i] = '_'
		}
	}
	return string(clean) + "_" + hex.EncodeToString(sum[:4])
}

func notToolIDChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}
