package openai

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// API names a request format the gateway serves.
type API string

const (
	Chat      API = "chat.completions"
	Responses API = "responses"
)

// Request is what routing needs from a client body. The body itself travels
// upstream as raw bytes; nothing here is re-encoded.
type Request struct {
	API   API
	Model string
	// Stream is true for `"stream": true`.
	Stream bool
	User   string
	// PreviousResponseID continues a stored Responses API conversation,
	// which lives at the provider that answered it.
	PreviousResponseID string
	// NoStore is a Responses call's `store: false`: its answer must not be
	// kept (store defaults to true).
	NoStore bool
	// Thread is a Messages call's message thread (Anthropic's beta
	// message-threads-2026-08-12): ThreadCreate, or ThreadContinue with
	// PreviousMessageID, the answer whose thread it continues; "" when
	// the call has none.
	Thread            string
	PreviousMessageID string
	// Resumes: a thread continuation that sends no new message
	// (`messages: []`), so the model goes on from the thread's last
	// answer, as after a pause_turn; the router model has no text to read.
	Resumes bool

	// Prompt is the text the router model reads, [router.PromptText] of the
	// conversation (see [PromptSource]).
	Prompt string
	// TextChars counts the bytes of every text the upstream model will read
	// (messages, instructions, tool calls and results, tool definitions);
	// [Request.InputTexts] returns those texts. Images counts image inputs.
	// Together they give the prompt token estimate.
	TextChars int
	Images    int
	// Files counts file (PDF) content parts: only models that read them
	// are eligible. FilePages estimates their pages ([filePages]), and
	// those of Messages' PDF document blocks, for the token estimate.
	Files     int
	FilePages int
	texts     []string
	// others are the body's top-level members that MembersRead does not
	// name as written: OtherMembers.
	others jsonscan.Object

	Tools bool
	// ToolCount is how many tools the call declares: its tools entries, or
	// a Chat call's legacy functions where they are more. MessageCount is
	// how many messages a Chat Completions or Messages call sends (its
	// messages array; 0 on Responses). Some providers cap them, and the
	// server hands both to the check of each model's provider's limits.
	ToolCount    int
	MessageCount int
	// ToolNames are the names of the tools a call declares that a model
	// calls by name (Chat's function.name and its legacy functions' name,
	// Responses' name, a Messages client tool's name), which providers
	// hold to a pattern.
	ToolNames []string
	// StopCount is how many stop sequences a Chat Completions call sets
	// (its stop array; a string is one), which OpenAI caps.
	StopCount int
	// AgentTools lists built-in (non-function) tool types, e.g.
	// "web_search_preview", which only OpenAI models run.
	AgentTools []string
	// ToolTypes lists each distinct tool type the request declares
	// ("function", "custom", "web_search_preview", ...): a provider whose
	// API cannot carry one of them cannot serve the request.
	ToolTypes []string
	// NativeOnly lists what the request's own API carries and a
	// translation to another provider's API cannot: on Messages, content
	// such as "document blocks" or "images inside tool_result"; on
	// Responses, "previous_response_id" (state stored at OpenAI).
	NativeOnly []string
	// WebSearch: a Chat call sets web_search_options. AudioOutput: it asks
	// for an answer in audio (`modalities` with "audio", or `audio`).
	WebSearch   bool
	AudioOutput bool
	// Moderation: a Chat Completions or Responses call sets `moderation`,
	// which only OpenAI's API runs.
	Moderation bool
	// ServiceTier is the processing tier a Chat Completions or Responses
	// call asks for (`service_tier`: "flex", which only some models take,
	// "priority", ...), which the router prices each model at; "" for
	// none, and on Messages, whose tiers ("auto", "standard_only") have
	// no prices of their own.
	ServiceTier string
	// TruncationAuto: a Responses call asks for `truncation: "auto"`,
	// which OpenAI and Azure read as leave to cut the prompt to fit.
	TruncationAuto bool
	// StructuredOutput: the call asks for an answer that follows a JSON
	// schema (Chat's response_format or Responses' text.format of type
	// json_schema, Messages' output_config.format).
	StructuredOutput bool
	// OutputSchema is a Chat Completions or Responses call's json_schema
	// format's schema as sent, and OutputSchemaAt where it was
	// (response_format.json_schema.schema or text.format.schema); "" on
	// Messages, whose output_config.format Claude takes as it is. The
	// translation to Claude carries it only where Claude's structured
	// outputs take it.
	OutputSchema   json.RawMessage
	OutputSchemaAt string
	// OutputStrict: that format has "strict": true, asking to be held to
	// its schema as written; without it, the translation to Claude may
	// first bring the schema within Claude's subset.
	OutputStrict bool
	// StoredAtOpenAI names the first thing the request refers to by an id
	// only OpenAI can resolve (a Conversations API conversation, a stored
	// prompt, an uploaded file, an item_reference), e.g. "conversation
	// conv_1": only OpenAI's models may answer it.
	StoredAtOpenAI string
	// ItemReferences are the ids of a Responses call's item_reference
	// input items, in order.
	ItemReferences []string
	// InputItemIDs are the ids a Responses call's input items name, in
	// order: an item_reference's, and the id any other item carries with
	// its content (a reasoning, message or function_call item sent back
	// as an earlier answer gave it), which OpenAI resolves in its store
	// too.
	InputItemIDs []string
	// Conversation is the id of the Conversations API conversation a
	// Responses call is added to ("" when none).
	Conversation    string
	MaxOutputTokens int
	// Choices is how many answers a Chat Completions call asks for (its
	// n), each billed and each within MaxOutputTokens; 1 when it asks for
	// one, or for a number its provider will refuse.
	Choices int
	// Params are the top-level parameters the client set (non-null), sorted,
	// besides the ones every request carries; see [coreFields].
	Params []string
	// ReasoningEffort is the reasoning effort a Chat Completions call sets
	// in reasoning_effort or a Responses call in reasoning.effort; "" when
	// none, or not a string (the provider judges that).
	ReasoningEffort string
	// Thinking is a Messages call's extended thinking: on for
	// {"type":"enabled"}, with ThinkingBudget its budget_tokens, and for
	// {"type":"adaptive"}, which sets no budget (0); off when disabled,
	// not set, or not of a form Anthropic takes (its 400 says why).
	Thinking       bool
	ThinkingBudget int

	Routing RoutingConfig
	// Opening is a hash of the conversation's opening messages (first
	// system/developer text and first user turn): stable across the turns of
	// one conversation, so it keys session affinity.
	Opening string
}

// RoutingConfig is the per-request `routing_config` object.
type RoutingConfig struct {
	Mode              router.Mode
	Models            []string
	RequireParameters bool
	// SessionAffinity is nil when the client did not say.
	SessionAffinity *bool
}

// PromptSource says, for docs and logs, what Request.Prompt holds.
const PromptSource = router.PromptSource

// RoutingConfigKeys are the keys `routing_config` accepts.
var RoutingConfigKeys = []string{"mode", "models", "require_parameters", "session_affinity"}

// coreFields are present in nearly every request and say nothing about
// which model can serve it, so they are not "parameters used".
var coreFields = map[string]bool{
	"model": true, "messages": true, "input": true, "instructions": true, "stream": true,
	"stream_options": true, "routing_config": true, "user": true, "metadata": true, "store": true,
	"previous_response_id": true,
}

// MembersRead are the top-level members Parse reads, on one API or
// another: routing decides on them by their exact names, so the gateway
// refuses a member that names one in another case (upstream.ExactMembersOf),
// which routing would not read while a provider whose decoder folds case
// would. Every one is lower case in both APIs, so no parameter of either
// is a case variant of another. TestMembersReadHoldsEveryTopLevelMemberParseReads
// finds a member Parse reads that the list lacks.
var MembersRead = []string{
	"audio", "background", "conversation", "function_call", "functions", "include", "input", "instructions",
	"logit_bias", "logprobs", "max_completion_tokens", "max_output_tokens", "max_tokens", "mcp_servers",
	"messages", "metadata", "modalities", "model", "moderation", "n", "output_config", "output_format",
	"parallel_tool_calls", "previous_response_id", "prompt", "reasoning", "reasoning_effort", "response_format",
	"routing_config", "service_tier", "stop", "stop_sequences", "store", "stream", "system", "temperature", "text",
	"thinking", "thread", "tool_choice", "tools", "top_k", "top_logprobs", "top_p", "truncation", "user",
	"web_search_options",
}

// OtherMembers are the top-level members of the body Parse read that
// MembersRead does not name exactly as written, in the body's order, each
// key as written between its quotes and its value (slices of the body):
// every member upstream.ExactMembersOf could refuse, given MembersRead as
// what routing reads, so it checks them without reading the body's
// members again. Kept apart from the rest, they cost a usual body, whose
// members routing all reads, no allocation.
func (r *Request) OtherMembers() jsonscan.Object { return r.others }

// membersRead is MembersRead as a set.
var membersRead = func() map[string]bool {
	set := make(map[string]bool, len(MembersRead))
	for _, name := range MembersRead {
		set[name] = true
	}
	return set
}()

// ModelOf returns a body's top-level "model" string, or "" where the body
// is no JSON object (or not UTF-8) or its model no string. It reads what Parse does, for
// a body Parse refuses over another member: the refused call is still
// logged under the deployment it named.
func ModelOf(raw []byte) string {
	top, _, err := topObject(raw)
	if err != nil {
		return ""
	}
	model, _ := optString(top, "model")
	return model
}

// maxModelText is how much of a model's string ModelOfCut keeps, as
// written: a deployment name has at most 64 characters, and the log keeps
// a longer name's first 64, which 1 KiB as written (at least 170
// characters, escapes and all) still holds.
const maxModelText = 1 << 10

// ModelOfCut returns the top-level "model" string of a body refused for
// its size, read from r: the body's bytes from its start, as far as the
// gateway reads such a body. As Parse and ModelOf do, it takes the last
// "model" member, which is the whole body's unless another follows past
// what r gives. It returns "" where what r gives is not the start of a
// JSON object, the last model read is no string, or none lies whole
// within r; r ends with io.EOF only where the body itself ended, so a body
// that ended inside its object, no JSON, names none either. It keeps a
// few kilobytes whatever it reads (jsonscan.LastString).
func ModelOfCut(r io.Reader) string {
	model, out, err := jsonscan.LastString(r, "model", maxModelText)
	if out == jsonscan.Cut && errors.Is(err, io.EOF) {
		return ""
	}
	return model
}

// Parse reads a request body of the given API. Errors are *router.Error with
// code EInvalid and Param naming the field at fault.
func Parse(api API, raw []byte) (Request, error) {
	top, others, err := topObject(raw)
	if err != nil {
		return Request{}, err
	}
	r := Request{API: api, others: others}
	if r.Model, err = optString(top, "model"); err != nil {
		return Request{}, err
	}
	if r.User, err = optString(top, "user"); err != nil {
		return Request{}, err
	}
	if r.PreviousResponseID, err = optString(top, "previous_response_id"); err != nil {
		return Request{}, err
	}
	if r.Stream, err = optBool(top, "stream"); err != nil {
		return Request{}, err
	}
	if r.Routing, err = parseRoutingConfig(top["routing_config"]); err != nil {
		return Request{}, err
	}
	if err = exactNested(api, top); err != nil {
		return Request{}, err
	}
	for k, v := range top {
		if !coreFields[k] && !isNull(v) {
			r.Params = append(r.Params, k)
		}
	}
	switch api {
	case Chat:
		err = parseChat(top, &r)
	case Responses:
		err = parseResponses(top, &r)
	case Messages, CountTokens:
		err = parseMessages(top, &r)
	default:
		err = fmt.Errorf("openai: unknown API %q", api)
	}
	if err == nil {
		err = toolChoiceWithoutTools(api, top, &r)
	}
	if err != nil {
		return Request{}, err
	}
	sort.Strings(r.Params)
	r.ReasoningEffort = reasoningEffort(api, top)
	if api != Messages {
		r.ServiceTier = plainString(top["service_tier"])
	}
	r.TruncationAuto = api == Responses && string(bytes.TrimSpace(top["truncation"])) == `"auto"`
	if len(r.ReasoningEffort) > maxTypeName {
		// A model that takes other efforts is left out, under
		// require_parameters, with a reason that names the value.
		param := "reasoning_effort"
		if api == Responses {
			param = "reasoning.effort"
		}
		return Request{}, invalid(param, "%s is %d bytes long; efforts are names of at most %d characters", param, len(r.ReasoningEffort), maxTypeName)
	}
	return r, nil
}

// reasoningEffort reads the effort where the gateway fits it to the chosen
// model (upstream's rewriteOpenAI).
func reasoningEffort(api API, top map[string]json.RawMessage) string {
	raw := top["reasoning_effort"]
	switch api {
	case Chat:
	case Responses:
		var reasoning struct {
			Effort json.RawMessage `json:"effort"`
		}
		if json.Unmarshal(top["reasoning"], &reasoning) != nil {
			return ""
		}
		raw = reasoning.Effort
	default:
		return ""
	}
	var v string
	_ = json.Unmarshal(raw, &v)
	return v
}

// InputTexts are the texts the upstream model will read, none empty: what
// the prompt token estimate counts, as if joined by newlines. They are the
// request's own; the caller must not change them.
func (r Request) InputTexts() []string { return r.texts }

func (r *Request) addText(s string) {
	if s != "" {
		r.texts = append(r.texts, s)
		r.TextChars += len(s)
	}
}

// conversation accumulates turns and derives Prompt, TextChars and Opening.
type conversation struct {
	msgs   []router.Turn // each turn reduced to what routing reads
	images int
	files  int // file (PDF) parts
	// filePages estimates the pages of the file parts and PDF documents.
	filePages int
	// stored is the first thing the request names that OpenAI stores.
	stored string
	// refs are the item_reference ids; ids every id an input item
	// names (see [Request.InputItemIDs]).
	refs, ids []string
	// other is text the model reads that is not a turn's content (tool
	// call arguments, tool results).
	other []string
}

func (c *conversation) add(role, text string) {
	c.msgs = append(c.msgs, router.Turn{Role: role, Text: text})
}

// storedAtOpenAI notes an id of something OpenAI stores (kind "file",
// "item_reference", ...), the first one kept.
func (c *conversation) storedAtOpenAI(kind, id string) {
	if id != "" && c.stored == "" {
		c.stored = kind + " " + shortened(id)
	}
}

func (c *conversation) extra(texts ...string) {
	c.other = append(c.other, texts...)
}

func (c *conversation) finish(r *Request) {
	r.texts = slices.Grow(r.texts, len(c.msgs)+len(c.other))
	for _, m := range c.msgs {
		r.addText(m.Text)
	}
	for _, t := range c.other {
		r.addText(t)
	}
	r.Images += c.images
	r.Files += c.files
	r.FilePages += c.filePages
	if r.StoredAtOpenAI == "" {
		r.StoredAtOpenAI = c.stored
	}
	r.ItemReferences, r.InputItemIDs = c.refs, c.ids
	r.Prompt = router.PromptText(c.msgs)
	h := sha256.New()
	var sys, user bool
	for _, m := range c.msgs {
		isSys := m.Role == "system" || m.Role == "developer"
		if (isSys && !sys) || (m.Role == "user" && !user) {
			h.Write([]byte(m.Role))
			h.Write([]byte{0})
			h.Write([]byte(m.Text))
			h.Write([]byte{0})
		}
		sys = sys || isSys
		user = user || m.Role == "user"
		if user {
			break
		}
	}
	r.Opening = hex.EncodeToString(h.Sum(nil)[:16])
}

func parseRoutingConfig(raw json.RawMessage) (RoutingConfig, error) {
	var rc RoutingConfig
	if isNull(raw) {
		return rc, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return rc, invalid("routing_config", "routing_config must be an object with keys %s", strings.Join(RoutingConfigKeys, ", "))
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(RoutingConfigKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return rc, invalid("routing_config", "unknown routing_config key(s) %s; valid keys: %s",
			quoteSome(unknown), strings.Join(RoutingConfigKeys, ", "))
	}
	if v, ok := m["mode"]; ok && !isNull(v) {
		var s string
		if json.Unmarshal(v, &s) != nil || len(s) > maxTypeName {
			return rc, invalid("routing_config.mode", "routing_config.mode must be a string; valid modes: balanced, quality, cost")
		}
		mode, err := router.ParseMode(s)
		if err != nil {
			return rc, invalid("routing_config.mode", "%s", router.ErrorMessage(err))
		}
		rc.Mode = mode
	}
	if v, ok := m["models"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &rc.Models); err != nil {
			return rc, invalid("routing_config.models", "routing_config.models must be an array of model IDs")
		}
		if len(rc.Models) == 0 {
			// It narrows to nothing: most likely an allowed list filtered
			// down to none, which routed over every model would reach
			// models the client meant to leave out. Leave it out (or
			// null) for the deployment's models.
			return rc, invalid("routing_config.models", "routing_config.models must name at least one model; leave it out to route over the deployment's models")
		}
		for i, id := range rc.Models {
			if strings.TrimSpace(id) == "" {
				return rc, invalid("routing_config.models", "routing_config.models contains an empty model ID")
			}
			if len(id) > maxModelID {
				// Not quoted back: an unknown model's error names it.
				return rc, invalid("routing_config.models", "routing_config.models[%d] is %d bytes long; model IDs are at most %d characters", i, len(id), maxModelID)
			}
		}
	}
	for _, f := range []struct {
		key string
		set func(bool)
	}{
		{"require_parameters", func(b bool) { rc.RequireParameters = b }},
		{"session_affinity", func(b bool) { rc.SessionAffinity = &b }},
	} {
		if v, ok := m[f.key]; ok && !isNull(v) {
			var b bool
			if json.Unmarshal(v, &b) != nil {
				return rc, invalid("routing_config."+f.key, "routing_config.%s must be true or false", f.key)
			}
			f.set(b)
		}
	}
	return rc, nil
}

func optString(top map[string]json.RawMessage, key string) (string, error) {
	v, ok := top[key]
	if !ok || isNull(v) {
		return "", nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", invalid(key, "%s must be a string", key)
	}
	return s, nil
}

func optBool(top map[string]json.RawMessage, key string) (bool, error) {
	v, ok := top[key]
	if !ok || isNull(v) {
		return false, nil
	}
	var b bool
	if json.Unmarshal(v, &b) != nil {
		return false, invalid(key, "%s must be true or false", key)
	}
	return b, nil
}

// maxTokens reads the first of keys that is set; it must be a positive integer.
func maxTokens(top map[string]json.RawMessage, keys ...string) (int, error) {
	for _, k := range keys {
		v, ok := top[k]
		if !ok || isNull(v) {
			continue
		}
		var n int
		if json.Unmarshal(v, &n) != nil || n < 1 {
			return 0, invalid(k, "%s must be a positive integer", k)
		}
		return n, nil
	}
	return 0, nil
}

func isNull(v json.RawMessage) bool {
	return len(v) == 0 || bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

func invalid(param, format string, args ...any) *router.Error {
	return &router.Error{Code: router.EInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// responseIDPattern finds a Responses API response id: the top-level "id"
// of a JSON answer, or the response's id in a stream's first event
// (response.created). Output items have other prefixes (msg_, fc_, rs_).
var responseIDPattern = regexp.MustCompile(`"id"\s*:\s*"(resp_[A-Za-z0-9_-]{1,200})"`)

// ResponseID returns the first Responses API response id in the head of an
// answer, "" when there is none.
func ResponseID(head []byte) string {
	if m := responseIDPattern.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// topObject reads the body's members: the body is checked once (the one
// full pass), then split without decoding; every later read of its parts
// can rely on it being valid (see jsonscan). Values are slices of raw.
// others are its members that MembersRead does not name exactly as
// written, in the body's order (Request.OtherMembers).
func topObject(raw []byte) (top map[string]json.RawMessage, others jsonscan.Object, err error) {
	if err := checkUTF8(raw); err != nil {
		return nil, nil, err
	}
	if jsonscan.Valid(raw) {
		if obj, ok := jsonscan.ParseObject(raw); ok {
			top := make(map[string]json.RawMessage, len(obj))
			for _, m := range obj {
				key := string(m.Key)
				if bytes.IndexByte(m.Key, '\\') >= 0 { // the body is UTF-8 (checkUTF8)
					key, _ = jsonscan.UnquoteKey(m.Key)
				}
				top[key] = m.Value // the last of duplicates wins, as in encoding/json
				if !membersRead[string(m.Key)] {
					others = append(others, m)
				}
			}
			return top, others, nil
		}
	}
	// Not a valid object: encoding/json says what is wrong.
	var decoded map[string]json.RawMessage
	if err := json.Unmarshal(raw, &decoded); err != nil {
		return nil, nil, invalid("", "the request body is not a JSON object: %s", jsonProblem(err))
	}
	if decoded == nil {
		return nil, nil, invalid("", "the request body is not a JSON object")
	}
	// An object encoding/json takes where jsonscan did not: its members,
	// for OtherMembers, are what upstream.ExactMembersOf would read of it.
	obj, _ := jsonscan.ParseObject(raw)
	for _, m := range obj {
		if !membersRead[string(m.Key)] {
			others = append(others, m)
		}
	}
	return decoded, others, nil
}

// checkUTF8 refuses a body that is not UTF-8, which JSON exchanged between
// systems must be (RFC 8259 §8.1). json.Valid takes invalid bytes inside
// strings, which routing and the translations to Claude read as U+FFFD
// while OpenAI's API refuses them: the same call would succeed or fail
// with the model chosen. Outside strings any byte past ASCII is invalid
// JSON anyway, so the whole body is checked (utf8.Valid's ASCII fast path
// makes it a small fraction of json.Valid's pass).
func checkUTF8(raw []byte) error {
	if utf8.Valid(raw) {
		return nil
	}
	at := 0
	for at < len(raw) {
		r, size := utf8.DecodeRune(raw[at:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		at += size
	}
	// Counted from 1, as encoding/json's "at byte" is.
	return invalid("", "the request body is not valid UTF-8 (byte %d)", at+1)
}

// jsonProblem describes a JSON syntax error without echoing the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "expected an object, got " + te.Value
	}
	return "invalid JSON"
}

// quoteSome quotes the first few of ss, each cut to a bounded length:
// they are the client's own words, repeated in an error.
func quoteSome(ss []string) string {
	const most = 5
	q := make([]string, 0, most+1)
	for i, s := range ss {
		if i == most {
			q = append(q, fmt.Sprintf("and %d more", len(ss)-most))
			break
		}
		q = append(q, fmt.Sprintf("%q", shortened(s)))
	}
	return strings.Join(q, ", ")
}

// plainString is the text of a JSON string without escapes, as the
// gateway compares its raw bytes to decide what a provider is sent
// (upstream's rewriteOpenAI drops `"flex"` so); "" for anything else.
func plainString(raw json.RawMessage) string {
	v := bytes.TrimSpace(raw)
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.ContainsAny(v[1:len(v)-1], `"\`) {
		return ""
	}
	return string(v[1 : len(v)-1])
}
