package upstreamtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// NewAnthropic starts an Anthropic Messages fake at /v1/messages. It checks
// what the real API rejects: a missing anthropic-version header, a missing
// max_tokens, no messages, a role other than user and assistant in
// messages (system text belongs in the top-level system field), or a
// metadata.user_id with an email address in it.
func NewAnthropic(t testing.TB) *Fake {
	return newFake(t, false, anthropicRoutes)
}

// NewAnthropicTLS is NewAnthropic served over HTTPS with HTTP/2 offered,
// as Anthropic serves; a client must trust its CertPEM.
func NewAnthropicTLS(t testing.TB) *Fake {
	return newFake(t, true, anthropicRoutes)
}

func anthropicRoutes(f *Fake, mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/messages", f.messages)
}

// writeAnthropicError writes Anthropic's error shape.
func writeAnthropicError(w http.ResponseWriter, status int, msg string) {
	typ := "invalid_request_error"
	switch {
	case status == http.StatusUnauthorized:
		typ = "authentication_error"
	case status == http.StatusForbidden:
		typ = "permission_error"
	case status == http.StatusNotFound:
		typ = "not_found_error"
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case status == http.StatusRequestEntityTooLarge:
		typ = "request_too_large"
	case status == 529:
		typ = "overloaded_error"
	case status >= 500:
		typ = "api_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "error", "error": map[string]any{"type": typ, "message": msg},
	})
}

func (f *Fake) messages(w http.ResponseWriter, r *http.Request) {
	// The API takes x-api-key; newer SDKs send Authorization: Bearer.
	keyOK := func(h http.Header) bool {
		return h.Get("x-api-key") == f.Key || h.Get("Authorization") == "Bearer "+f.Key
	}
	c := f.begin(w, r, "", keyOK, writeAnthropicError)
	if c == nil {
		return
	}
	// Anthropic's documented request size limit for the Messages API.
	if c.r.ContentLength > 32<<20 {
		writeAnthropicError(w, http.StatusRequestEntityTooLarge, "Request exceeds the maximum allowed number of bytes.")
		return
	}
	if msg := c.anthropicInvalid(); msg != "" {
		writeAnthropicError(w, http.StatusBadRequest, msg)
		return
	}
	if stream, _ := c.body["stream"].(bool); stream && !c.b.NoStreaming {
		c.messagesStream()
		return
	}
	content := []any{}
	if c.b.Thinking != "" {
		content = append(content, map[string]any{"type": "thinking", "thinking": c.b.Thinking, "signature": fakeSignature})
	}
	if c.withText() && !c.b.NoText {
		content = append(content, map[string]any{"type": "text", "text": c.reply()})
	}
	stop := "end_turn"
	if c.b.ToolCall != nil {
		content = append(content, c.toolUse(true))
		stop = "tool_use"
	}
	answer := map[string]any{
		"id": c.messageID(), "type": "message", "role": "assistant", "model": c.model,
		"content": content, "stop_reason": c.stopReason(stop), "stop_sequence": nil,
		"usage": c.withThinkingTokens(c.anthropicUsage(c.completionTokens())),
	}
	if c.b.StopDetails != nil {
		answer["stop_details"] = c.b.StopDetails
	}
	if c.b.NoUsage {
		delete(answer, "usage")
	}
	writeJSON(w, answer)
}

// fakeSignature stands for the signature Anthropic puts on thinking.
const fakeSignature = "c2lnbmVk"

func (c *call) stopReason(natural string) string {
	if c.b.StopReason != "" {
		return c.b.StopReason
	}
	return natural
}

func (c *call) anthropicInvalid() string {
	if c.r.Header.Get("anthropic-version") == "" {
		return "anthropic-version: header is required"
	}
	if n, ok := c.body["max_tokens"].(float64); !ok || n < 1 {
		return "max_tokens: field required"
	}
	msgs, ok := c.body["messages"].([]any)
	thread, _ := c.body["thread"].(map[string]any)
	// A thread continuation may send none: the thread holds the
	// conversation, and the model goes on from its last answer.
	if !ok || len(msgs) == 0 && thread["type"] != "continue" {
		return "messages: at least one message is required"
	}
	// Anthropic's documented caps (its Messages API reference, its vision
	// guide for a model with a 200K window).
	if len(msgs) > 100_000 {
		return fmt.Sprintf("messages: a request takes at most 100000 messages, got %d", len(msgs))
	}
	if n := countImages(msgs); n > 100 {
		return fmt.Sprintf("messages: a request takes at most 100 images, got %d", n)
	}
	tools, _ := c.body["tools"].([]any)
	for i, t := range tools {
		tool, _ := t.(map[string]any)
		if name, ok := tool["name"].(string); ok && tool["type"] == nil && !claudeToolName.MatchString(name) {
			return fmt.Sprintf("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'", i)
		}
	}
	for i, m := range msgs {
		mm, _ := m.(map[string]any)
		if role := mm["role"]; role != "user" && role != "assistant" {
			return fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
	}
	// Anthropic wants an opaque id here and refuses one that carries an
	// email address.
	md, _ := c.body["metadata"].(map[string]any)
	if id, _ := md["user_id"].(string); strings.Contains(id, "@") {
		return "metadata.user_id: user_id appears to contain an email address. Please send a uuid or hash value instead."
	}
	return ""
}

func (c *call) toolUse(withInput bool) map[string]any {
	tc := c.b.ToolCall
	input := map[string]any{}
	if withInput {
		_ = json.Unmarshal([]byte(tc.Arguments), &input)
	}
	return map[string]any{"type": "tool_use", "id": tc.ID, "name": tc.Name, "input": input}
}

func (c *call) anthropicUsage(output int) map[string]any {
	u := c.inputUsage(output)
	if hour := c.b.CacheWrite1hTokens; hour > 0 {
		u["cache_creation"] = map[string]any{"ephemeral_5m_input_tokens": c.b.CacheWriteTokens - hour, "ephemeral_1h_input_tokens": hour}
	}
	if c.b.ServiceTier != "" {
		u["service_tier"] = c.b.ServiceTier // Anthropic names its tier in the usage
	}
	return u
}

// inputUsage is a usage's counts without the split of the cache writes.
func (c *call) inputUsage(output int) map[string]any {
	return map[string]any{
		"input_tokens": c.promptTokens(), "output_tokens": output,
		"cache_read_input_tokens": c.b.CachedTokens, "cache_creation_input_tokens": c.b.CacheWriteTokens,
	}
}

// deltaUsage is message_delta's usage: the output, and with
// CacheWrite1hTokens the input counts again, without their split.
func (c *call) deltaUsage() map[string]any {
	if c.b.CacheWrite1hTokens > 0 {
		return c.inputUsage(c.completionTokens())
	}
	return map[string]any{"output_tokens": c.completionTokens()}
}

// withThinkingTokens adds the answer's ReasoningTokens to its final usage
// as Anthropic breaks its output down, in output_tokens_details: its
// thinking_tokens are part of output_tokens, not beside them; and its
// WebSearches, in server_tool_use.
func (c *call) withThinkingTokens(usage map[string]any) map[string]any {
	if c.b.ReasoningTokens > 0 {
		usage["output_tokens_details"] = map[string]any{"thinking_tokens": c.b.ReasoningTokens}
	}
	if c.b.WebSearches > 0 {
		usage["server_tool_use"] = map[string]any{"web_search_requests": c.b.WebSearches}
	}
	return usage
}

// messagesStream sends Anthropic's event sequence: message_start, then
// for Thinking content_block_start, a thinking_delta, a signature_delta
// and content_block_stop, for the text (unless only a tool call)
// content_block_start, ping, content_block_delta per word and
// content_block_stop, for a tool call content_block_start, two
// input_json_delta halves and content_block_stop, then message_delta (stop
// reason and output usage) and message_stop (unless NoDone). NoUsage leaves
// the usage out of message_start and message_delta.
func (c *call) messagesStream() {
	s := c.startSSE()
	s.errName = "error"
	s.errData = map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": "Overloaded"}}
	s.keepAlive = func(int) string { return "event: ping\ndata: {\"type\": \"ping\"}\n\n" }
	ev := func(typ string, fields map[string]any) bool {
		fields["type"] = typ
		return s.event(typ, fields)
	}
	start := map[string]any{
		"id": c.messageID(), "type": "message", "role": "assistant", "model": c.model,
		"content": []any{}, "stop_reason": nil, "stop_sequence": nil, "usage": c.anthropicUsage(1),
	}
	delta := map[string]any{"usage": c.withThinkingTokens(c.deltaUsage())} // message_delta's
	if c.b.NoUsage {
		delete(start, "usage")
		delete(delta, "usage")
	}
	if !ev("message_start", map[string]any{"message": start}) {
		return
	}
	index := 0
	stop := "end_turn"
	if c.b.Thinking != "" {
		if !ev("content_block_start", map[string]any{"index": index, "content_block": map[string]any{"type": "thinking", "thinking": "", "signature": ""}}) ||
			!ev("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "thinking_delta", "thinking": c.b.Thinking}}) ||
			!ev("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "signature_delta", "signature": fakeSignature}}) ||
			!ev("content_block_stop", map[string]any{"index": index}) {
			return
		}
		index++
	}
	if c.withText() && !c.b.NoText {
		if !ev("content_block_start", map[string]any{"index": index, "content_block": map[string]any{"type": "text", "text": ""}}) ||
			!ev("ping", map[string]any{}) {
			return
		}
		for _, w := range c.replyWords() {
			if !ev("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "text_delta", "text": w}}) {
				return
			}
		}
		if !ev("content_block_stop", map[string]any{"index": index}) {
			return
		}
		index++
	}
	if tc := c.b.ToolCall; tc != nil {
		stop = "tool_use"
		if !ev("content_block_start", map[string]any{"index": index, "content_block": c.toolUse(false)}) {
			return
		}
		half := len(tc.Arguments) / 2
		for _, part := range []string{tc.Arguments[:half], tc.Arguments[half:]} {
			if !ev("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "input_json_delta", "partial_json": part}}) {
				return
			}
		}
		if !ev("content_block_stop", map[string]any{"index": index}) {
			return
		}
	}
	delta["delta"] = map[string]any{"stop_reason": c.stopReason(stop), "stop_sequence": nil}
	if c.b.StopDetails != nil {
		delta["delta"].(map[string]any)["stop_details"] = c.b.StopDetails
	}
	if !ev("message_delta", delta) {
		return
	}
	if c.b.NoDone || ev("message_stop", map[string]any{}) {
		s.finish()
	}
}

// messageID is the answer's id, one per request unless the behavior sets
// one for all.
func (c *call) messageID() string {
	if c.b.MessageID != "" {
		return c.b.MessageID
	}
	return fmt.Sprintf("msg_fake_%d", c.seq)
}

// countImages counts the image blocks of msgs, those inside tool results
// included.
func countImages(msgs []any) int {
	n := 0
	var walk func(blocks []any)
	walk = func(blocks []any) {
		for _, b := range blocks {
			block, _ := b.(map[string]any)
			if block["type"] == "image" {
				n++
			}
			if inner, ok := block["content"].([]any); ok {
				walk(inner)
			}
		}
	}
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		if blocks, ok := mm["content"].([]any); ok {
			walk(blocks)
		}
	}
	return n
}

// claudeToolName is the name Anthropic takes for a client tool.
var claudeToolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
