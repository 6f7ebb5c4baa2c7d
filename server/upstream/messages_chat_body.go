package upstream

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// chatMessages writes a Messages conversation's Chat Completions messages,
// the JSON list, as encoding/json wrote them from Go strings, but with the
// client's texts as their own bytes where those are what it would write
// (jsonText): a long text goes to the provider as a slice of the client's
// body, neither decoded nor encoded again.
type chatMessages struct {
	w     bodyWriter
	count int
}

// open starts a message; roles are constants that need no escaping.
func (c *chatMessages) open(role string) {
	if c.count == 0 {
		c.w.written = append(c.w.written, '[')
	} else {
		c.w.written = append(c.w.written, ',')
	}
	c.count++
	c.w.written = append(append(append(c.w.written, `{"role":"`...), role...), '"')
}

func (c *chatMessages) content(t jsonText) {
	c.w.written = append(c.w.written, `,"content":`...)
	c.w.text(t)
}

func (c *chatMessages) close() { c.w.written = append(c.w.written, '}') }

// body is the list written; a conversation has a message at least.
func (c *chatMessages) body() requestBody {
	c.w.written = append(c.w.written, ']')
	return c.w.body()
}

// system writes the system prompt's text blocks joined as one string: a
// string content is what every OpenAI-compatible server accepts for a
// system message.
func (c *chatMessages) system(raw json.RawMessage) error {
	bs, err := blocks(raw)
	if err != nil {
		return router.Errorf(router.EInvalid, "system: %s", router.ErrorMessage(err))
	}
	t, err := joinText(bs, "\n", "system")
	if err != nil {
		return err
	}
	if !t.empty() {
		c.open("system")
		c.content(t)
		c.close()
	}
	return nil
}

// turn writes one Messages turn's Chat Completions messages.
func (c *chatMessages) turn(turn messagesTurn, m router.Model) error {
	switch turn.Role {
	case "user":
		return c.userTurn(turn.Content, m)
	case "assistant":
		return c.assistantTurn(turn.Content, m)
	}
	return router.Errorf(router.EInvalid, "role %s is not supported", quotedCut(turn.Role))
}

// userPart is a part of a user message: a text, or an image's URL.
type userPart struct {
	image bool
	text  jsonText
}

// userTurn puts the turn's tool results first, as tool messages: OpenAI
// wants them right after the assistant message that made the calls. The
// rest of the turn follows as one user message.
func (c *chatMessages) userTurn(raw json.RawMessage, m router.Model) error {
	if jsonscan.IsNull(raw) {
		raw = json.RawMessage(`""`) // as encoding/json read a null content
	}
	if isJSONString(raw) {
		c.open("user")
		c.content(jsonText{strs: [][]byte{raw}})
		c.close()
		return nil
	}
	bs, err := blocks(raw)
	if err != nil {
		return err
	}
	var parts []userPart
	for _, b := range bs {
		switch b.Type {
		case "text":
			parts = append(parts, userPart{text: jsonText{strs: [][]byte{b.Text}}})
		case "image":
			url, err := imageURL(b, m)
			if err != nil {
				return err
			}
			parts = append(parts, userPart{image: true, text: url})
		case "tool_result":
			text, err := toolResultText(b)
			if err != nil {
				return err
			}
			c.open("tool")
			c.content(text)
			if id := openAIToolID(b.ToolUseID); id != "" {
				c.w.written = append(c.w.written, `,"tool_call_id":`...)
				c.w.written = appendMarshalled(c.w.written, id)
			}
			c.close()
		default:
			return unsupportedBlock(b.Type, m)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	c.open("user")
	c.w.written = append(c.w.written, `,"content":[`...)
	for i, p := range parts {
		if i > 0 {
			c.w.written = append(c.w.written, ',')
		}
		// The keys in the order encoding/json wrote the maps' keys.
		if p.image {
			c.w.written = append(c.w.written, `{"image_url":{"url":`...)
			c.w.text(p.text)
			c.w.written = append(c.w.written, `},"type":"image_url"}`...)
		} else {
			c.w.written = append(c.w.written, `{"text":`...)
			c.w.text(p.text)
			c.w.written = append(c.w.written, `,"type":"text"}`...)
		}
	}
	c.w.written = append(c.w.written, ']')
	c.close()
	return nil
}

// assistantTurn joins the turn's text and turns tool_use blocks into tool
// calls; it writes nothing when nothing is left: a turn of thinking blocks
// only, or one with no content ("" as [], the empty last turn Anthropic
// allows, which asks Claude to continue nothing; some OpenAI-compatible
// servers refuse a conversation that ends with an assistant message,
// Mistral's among them).
func (c *chatMessages) assistantTurn(raw json.RawMessage, m router.Model) error {
	bs, err := blocks(raw)
	if err != nil {
		return err
	}
	var text jsonText
	var calls []chatToolCallOut
	for _, b := range bs {
		switch b.Type {
		case "text":
			text.strs = append(text.strs, b.Text)
		case "tool_use":
			var tc chatToolCallOut
			tc.ID, tc.Type, tc.Function.Name = openAIToolID(b.ID), "function", b.Name
			tc.Function.Arguments = string(compactJSON(nullToNil(b.Input)))
			calls = append(calls, tc)
		case "thinking", "redacted_thinking":
			// Signed for Anthropic models only; others cannot use them.
		default:
			return unsupportedBlock(b.Type, m)
		}
	}
	if text.empty() && len(calls) == 0 {
		return nil
	}
	c.open("assistant")
	if !text.empty() {
		c.content(text)
	}
	if len(calls) > 0 {
		c.w.written = append(c.w.written, `,"tool_calls":`...)
		c.w.written = appendMarshalled(c.w.written, calls)
	}
	c.close()
	return nil
}

// appendMarshalled appends v as marshalPlain writes it (a small value:
// an id, a turn's tool calls).
func appendMarshalled(out []byte, v any) []byte {
	b, _ := marshalPlain(v)
	return append(out, b...)
}

// jsonText is a text made of the client's JSON strings (each with its
// quotes; nil for an absent or null member, which reads as ""), joined by
// sep after prefix.
type jsonText struct {
	prefix, sep string
	strs        [][]byte
}

// empty reports whether the text is "".
func (t jsonText) empty() bool {
	if t.prefix != "" || (t.sep != "" && len(t.strs) > 1) {
		return false
	}
	for _, s := range t.strs {
		if len(s) > 2 {
			return false
		}
	}
	return true
}

// asWritten reports whether encoding/json writes the text's strings as
// the client did, so that their bytes can go as they are.
func (t jsonText) asWritten() bool {
	for _, s := range t.strs {
		if s != nil && !canonicalString(s) {
			return false
		}
	}
	return true
}

// decoded is the text as a Go string.
func (t jsonText) decoded() string {
	var b strings.Builder
	b.WriteString(t.prefix)
	for i, s := range t.strs {
		if i > 0 {
			b.WriteString(t.sep)
		}
		text, _ := stringMember(s)
		b.WriteString(text)
	}
	return b.String()
}

// text writes t as the JSON string encoding/json writes for it: the
// client's strings as slices of its body when they are that already, else
// decoded and encoded again (escapes written otherwise, such as \u00e9 or
// \/, invalid UTF-8).
func (w *bodyWriter) text(t jsonText) {
	if !t.asWritten() {
		w.written = appendMarshalled(w.written, t.decoded())
		return
	}
	w.written = append(w.written, '"')
	w.written = appendInner(w.written, t.prefix)
	for i, s := range t.strs {
		if i > 0 {
			w.written = appendInner(w.written, t.sep)
		}
		if len(s) >= 2 {
			w.value(s[1:len(s)-1], sharedValueSize)
		}
	}
	w.written = append(w.written, '"')
}

// appendInner appends s encoded as a JSON string, without its quotes.
func appendInner(out []byte, s string) []byte {
	if s == "" {
		return out
	}
	b, _ := marshalPlain(s)
	return append(out, b[1:len(b)-1]...)
}

// isJSONString reports whether raw, a valid JSON value, is a string.
func isJSONString(raw []byte) bool { return len(raw) > 0 && raw[0] == '"' }

// canonicalString reports whether raw, a JSON string of a valid body, is
// what encoding/json writes (without HTML escaping) for the text it
// holds: valid UTF-8 without U+2028 or U+2029, and escapes only where it
// writes them, as it writes them (\" \\ \b \f \n \r \t, \u00xx in lower
// case for the other control characters, \u2028 and \u2029).
func canonicalString(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < utf8.RuneSelf && c != '\\' && c != '"':
			i++
		case c == '\\' && i+1 < len(s):
			n := escapeLength(s[i:])
			if n == 0 {
				return false
			}
			i += n
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s[i:])
			if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
				return false
			}
			i += size
		default:
			return false
		}
	}
	return true
}

// escapeLength is the length of the escape s starts with when it is one
// encoding/json writes, else 0.
func escapeLength(s []byte) int {
	switch s[1] {
	case '"', '\\', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) < 6 {
			return 0
		}
		switch h := string(s[2:6]); h {
		case "2028", "2029":
			return 6
		case "0008", "0009", "000a", "000c", "000d":
			return 0 // written short
		}
		if s[2] == '0' && s[3] == '0' && (s[4] == '0' || s[4] == '1') && isLowerHex(s[5]) {
			return 6
		}
	}
	return 0
}

func isLowerHex(c byte) bool { return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') }

// blocks reads Messages content: a string is one text block. The content
// comes from a body MessagesToChat has decoded, so it is valid JSON, and
// jsonscan reads it without checking it again (a long tool result would
// otherwise be read once per level).
func blocks(raw json.RawMessage) ([]contentBlock, error) {
	if jsonscan.IsNull(raw) {
		return nil, nil
	}
	if isJSONString(raw) {
		return []contentBlock{{Type: "text", Text: raw}}, nil
	}
	raws, ok := jsonscan.Elements(raw)
	if !ok {
		return nil, router.Errorf(router.EInvalid, "content must be a string or a list of content blocks")
	}
	bs := make([]contentBlock, len(raws))
	for i, r := range raws {
		obj, ok := jsonscan.ParseObject(r)
		if ok {
			bs[i].Type, ok = stringMember(obj.Get("type"))
		}
		if !ok {
			return nil, router.Errorf(router.EInvalid, "content block %d is not an object", i)
		}
		switch bs[i].Type {
		case "text", "image", "tool_use", "tool_result":
			// Only the kinds we translate are read whole: others may reuse
			// a member name with another shape (search_result's source is
			// a string), and are rejected by type anyway.
			if what := readBlock(obj, &bs[i]); what != "" {
				return nil, router.Errorf(router.EInvalid, "malformed %s block: %s", bs[i].Type, what)
			}
		}
	}
	return bs, nil
}

// contentBlock is one block of a Messages turn, with the members of every
// kind we translate; texts as the client's JSON strings (jsonText).
type contentBlock struct {
	Type   string
	Text   []byte
	Source *blockSource
	// tool_use
	ID    string
	Name  string
	Input json.RawMessage
	// tool_result
	ToolUseID string
	Content   json.RawMessage
	IsError   bool
}

type blockSource struct {
	Type                 string
	MediaType, Data, URL []byte // JSON strings, or nil
}

// readBlock reads the members of a block we translate; it returns what is
// wrong, "" when nothing is.
func readBlock(obj jsonscan.Object, b *contentBlock) string {
	var ok bool
	if b.Text, ok = stringValue(obj.Get("text")); !ok {
		return "text must be a string"
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"id", &b.ID}, {"name", &b.Name}, {"tool_use_id", &b.ToolUseID}} {
		if *f.dst, ok = stringMember(obj.Get(f.name)); !ok {
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
	b.Source = &blockSource{}
	if b.Source.Type, ok = stringMember(so.Get("type")); !ok {
		return "source.type must be a string"
	}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"media_type", &b.Source.MediaType}, {"data", &b.Source.Data}, {"url", &b.Source.URL}} {
		if *f.dst, ok = stringValue(so.Get(f.name)); !ok {
			return "source." + f.name + " must be a string"
		}
	}
	return ""
}

// stringMember reads a member that must be a string when set: "" when it is
// absent or null, ok false when it is another value.
func stringMember(v []byte) (string, bool) {
	if jsonscan.IsNull(v) {
		return "", true
	}
	return jsonscan.Unquote(v)
}

// stringValue is stringMember leaving the string as it is written: nil
// when it is absent or null.
func stringValue(v []byte) ([]byte, bool) {
	switch {
	case jsonscan.IsNull(v):
		return nil, true
	case isJSONString(v):
		return v, true
	}
	return nil, false
}

// joinText joins text blocks with sep; any other block is an error.
func joinText(bs []contentBlock, sep, where string) (jsonText, error) {
	t := jsonText{sep: sep, strs: make([][]byte, 0, len(bs))}
	for _, b := range bs {
		if b.Type != "text" {
			return jsonText{}, router.Errorf(router.EInvalid, "%s: only text blocks are supported, not %s", where, quotedCut(b.Type))
		}
		t.strs = append(t.strs, b.Text)
	}
	return t, nil
}

func unsupportedBlock(typ string, m router.Model) error {
	return router.Errorf(router.EInvalid, "content block type %s is not supported by %s", quotedCut(typ), modelID(m))
}

// imageURL is an image block's source as an image_url URL: base64 data as
// a data URL, a URL as it is. File references have no OpenAI form.
func imageURL(b contentBlock, m router.Model) (jsonText, error) {
	if b.Source != nil {
		switch b.Source.Type {
		case "base64":
			return jsonText{prefix: "data:", sep: ";base64,", strs: [][]byte{b.Source.MediaType, b.Source.Data}}, nil
		case "url":
			return jsonText{strs: [][]byte{b.Source.URL}}, nil
		}
		return jsonText{}, router.Errorf(router.EInvalid, "image source type %s is not supported by %s", quotedCut(b.Source.Type), modelID(m))
	}
	return jsonText{}, router.Errorf(router.EInvalid, "image block without source")
}

// toolResultText is a tool_result's content as one text, marked when the
// tool failed: a tool message has no error flag of its own.
func toolResultText(b contentBlock) (jsonText, error) {
	bs, err := blocks(b.Content)
	if err != nil {
		return jsonText{}, err
	}
	text, err := joinText(bs, "\n", "tool_result")
	if err != nil {
		return jsonText{}, err
	}
	if b.IsError {
		text.prefix = "Error: "
	}
	return text, nil
}
