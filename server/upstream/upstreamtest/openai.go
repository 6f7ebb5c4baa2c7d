package upstreamtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// created is the fixed creation time the fakes report.
const created = 1700000000

// NewOpenAI starts an OpenAI-compatible fake: Chat Completions at
// /v1/chat/completions and /chat/completions, Responses at /v1/responses
// (answers stored, as OpenAI stores them: read, deleted, cancelled and
// continued by id; background answers), and Azure OpenAI's paths: the
// deployment path /openai/deployments/{deployment}/chat/completions and
// the v1 API's /openai/v1/chat/completions and /openai/v1/responses (the
// deployment in model), with the key in api-key or as a Bearer token.
func NewOpenAI(t testing.TB) *Fake {
	return newFake(t, false, openAIRoutes)
}

// NewOpenAITLS is NewOpenAI served over HTTPS with HTTP/2 offered, as
// OpenAI and Azure OpenAI serve; a client must trust its CertPEM.
func NewOpenAITLS(t testing.TB) *Fake {
	return newFake(t, true, openAIRoutes)
}

func openAIRoutes(f *Fake, mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/chat/completions", f.chat)
	mux.HandleFunc("POST /chat/completions", f.chat)
	mux.HandleFunc("POST /openai/deployments/{deployment}/chat/completions", f.chat)
	mux.HandleFunc("POST /openai/v1/chat/completions", f.chat)
	mux.HandleFunc("POST /v1/responses", f.responses)
	mux.HandleFunc("POST /responses", f.responses)
	mux.HandleFunc("POST /openai/v1/responses", f.responses)
	f.storedRoutes(mux)
}

func (f *Fake) openAIKeyOK(r *http.Request) func(http.Header) bool {
	return func(h http.Header) bool {
		if strings.HasPrefix(r.URL.Path, "/openai/") {
			return h.Get("api-key") == f.Key || h.Get("Authorization") == "Bearer "+f.Key
		}
		return h.Get("Authorization") == "Bearer "+f.Key
	}
}

// writeOpenAIError writes OpenAI's error shape.
func writeOpenAIError(w http.ResponseWriter, status int, msg string) {
	writeOpenAIErrorCode(w, status, msg, nil)
}

// writeModelError writes OpenAI's error about the request's model: a 403
// or 404 is then OpenAI's for a model the project cannot use.
func writeModelError(w http.ResponseWriter, status int, msg string) {
	var code any
	if status == http.StatusForbidden || status == http.StatusNotFound {
		code = "model_not_found"
	}
	writeOpenAIErrorCode(w, status, msg, code)
}

func writeOpenAIErrorCode(w http.ResponseWriter, status int, msg string, code any) {
	writeOpenAIErrorParam(w, status, msg, nil, code)
}

// writeOpenAIErrorParam writes OpenAI's error naming the member it is
// about (param; nil for none).
func writeOpenAIErrorParam(w http.ResponseWriter, status int, msg string, param, code any) {
	typ := "invalid_request_error"
	switch {
	case status == http.StatusUnauthorized:
		typ = "authentication_error"
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_exceeded"
	case status >= 500:
		typ = "server_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": typ, "param": param, "code": code},
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) chat(w http.ResponseWriter, r *http.Request) {
	c := f.begin(w, r, r.PathValue("deployment"), f.openAIKeyOK(r), writeModelError)
	if c == nil {
		return
	}
	msgs, ok := c.body["messages"].([]any)
	if !ok {
		writeOpenAIError(w, http.StatusBadRequest, "messages is required")
		return
	}
	if msg := toolOrderInvalid(msgs); msg != "" {
		writeOpenAIError(w, http.StatusBadRequest, msg)
		return
	}
	// OpenAI's caps on tools (and on the legacy functions) and stop
	// sequences, in its words.
	for param, most := range map[string]int{"tools": 128, "functions": 128, "stop": 4} {
		if list, _ := c.body[param].([]any); len(list) > most {
			writeOpenAIErrorCode(w, http.StatusBadRequest, fmt.Sprintf(
				"Invalid '%s': array too long. Expected an array with maximum length %d, but got an array with length %d instead.",
				param, most, len(list)), "array_above_max_length")
			return
		}
	}
	// OpenAI's rule for a function's name.
	tools, _ := c.body["tools"].([]any)
	for i, t := range tools {
		tool, _ := t.(map[string]any)
		fn, _ := tool["function"].(map[string]any)
		if name, ok := fn["name"].(string); ok && !openAIFunctionName.MatchString(name) {
			writeOpenAIError(w, http.StatusBadRequest, fmt.Sprintf(
				"Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.", i))
			return
		}
	}
	if stream, _ := c.body["stream"].(bool); stream && !c.b.NoStreaming {
		c.chatStream()
		return
	}
	msg := map[string]any{"role": "assistant", "content": c.reply(), "refusal": nil}
	if !c.withText() {
		msg["content"] = nil
	}
	if c.b.Refusal != "" {
		msg["content"], msg["refusal"] = nil, c.b.Refusal
	}
	if c.b.Thinking != "" {
		parts := []any{thinkingPart(c.b.Thinking)}
		if c.withText() {
			parts = append(parts, textPart(c.reply()))
		}
		msg["content"] = parts
	}
	if c.b.ToolCall != nil {
		msg["tool_calls"] = []any{c.openAIToolCall(true)}
	}
	// n answers, each the same reply: usage counts them all, as OpenAI
	// bills them (the prompt once, every answer's tokens).
	n := c.choicesAsked()
	choices := make([]any, n)
	for i := range choices {
		choices[i] = map[string]any{"index": i, "message": msg, "logprobs": nil, "finish_reason": c.finishReason()}
	}
	usage := c.chatUsage()
	usage["completion_tokens"] = n * c.completionTokens()
	usage["total_tokens"] = c.promptTokens() + n*c.completionTokens()
	usage["completion_tokens_details"] = map[string]any{"reasoning_tokens": n * c.b.ReasoningTokens}
	answer := c.withTier(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": created,
		"model": c.model, "system_fingerprint": "fp_fake",
		"choices": choices,
		"usage":   usage,
	})
	if c.b.NoUsage {
		delete(answer, "usage")
	}
	writeJSON(w, answer)
}

// withTier adds the Behavior's ServiceTier to an answer object.
func (c *call) withTier(obj map[string]any) map[string]any {
	if c.b.ServiceTier != "" {
		obj["service_tier"] = c.b.ServiceTier
	}
	return obj
}

func (c *call) finishReason() string {
	switch {
	case c.b.FinishReason != "":
		return c.b.FinishReason
	case c.b.ToolCall != nil:
		return "tool_calls"
	}
	return "stop"
}

// toolOrderInvalid checks what OpenAI checks of tool messages: each
// answers a call of the assistant message right before it (or before the
// tool messages between).
func toolOrderInvalid(msgs []any) string {
	calls := map[string]bool{}
	for i, m := range msgs {
		mm, _ := m.(map[string]any)
		switch mm["role"] {
		case "tool":
			id, _ := mm["tool_call_id"].(string)
			if !calls[id] {
				return fmt.Sprintf("Invalid parameter: messages[%d] with role 'tool' must be a response to a preceding message with 'tool_calls'.", i)
			}
		case "assistant":
			calls = map[string]bool{}
			tcs, _ := mm["tool_calls"].([]any)
			for _, tc := range tcs {
				tcm, _ := tc.(map[string]any)
				id, _ := tcm["id"].(string)
				calls[id] = true
			}
		default:
			calls = map[string]bool{}
		}
	}
	return ""
}

func (c *call) openAIToolCall(withType bool) map[string]any {
	tc := c.b.ToolCall
	out := map[string]any{"id": tc.ID, "function": map[string]any{"name": tc.Name, "arguments": tc.Arguments}}
	if withType {
		out["type"] = "function"
	}
	return out
}

// choicesAsked is a Chat call's n: 1 where it sets none (a streamed
// answer carries one choice whatever it asks).
func (c *call) choicesAsked() int {
	if n, ok := c.body["n"].(float64); ok && n > 1 {
		return int(n)
	}
	return 1
}

func (c *call) chatUsage() map[string]any {
	p, n := c.promptTokens(), c.completionTokens()
	u := map[string]any{
		"prompt_tokens": p, "completion_tokens": n, "total_tokens": p + n,
		"prompt_tokens_details":     map[string]any{"cached_tokens": c.b.CachedTokens},
		"completion_tokens_details": map[string]any{"reasoning_tokens": c.b.ReasoningTokens},
	}
	if c.b.CacheWriteTokens > 0 {
		// LiteLLM in front of Claude: Anthropic's cache counts beside a
		// prompt_tokens that already counts them.
		u["cache_creation_input_tokens"] = c.b.CacheWriteTokens
		u["cache_read_input_tokens"] = c.b.CachedTokens
	}
	return u
}

// chatStream sends a role chunk, one chunk per word (of the refusal, for
// a Refusal; after one with the thinking part, for Thinking), for a tool
// call a chunk with its id and name then two with halves of its
// arguments, a finish chunk, with include_usage a usage chunk with no
// choices, then [DONE] (unless NoDone).
func (c *call) chatStream() {
	includeUsage := false
	if so, ok := c.body["stream_options"].(map[string]any); ok {
		includeUsage, _ = so["include_usage"].(bool)
	}
	includeUsage = includeUsage && !c.b.NoStreamUsage && !c.b.NoUsage
	chunk := func(delta map[string]any, finish any) map[string]any {
		ch := map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
			"model": c.model, "system_fingerprint": "fp_fake",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		}
		if includeUsage {
			ch["usage"] = nil
		}
		return c.withTier(ch)
	}
	s := c.startSSE()
	s.errData = map[string]any{"error": map[string]any{"message": "generation failed", "type": "server_error"}}
	if !s.event("", chunk(map[string]any{"role": "assistant", "content": ""}, nil)) {
		return
	}
	switch {
	case c.b.Refusal != "":
		for _, w := range words(c.b.Refusal) {
			if !s.event("", chunk(map[string]any{"refusal": w}, nil)) {
				return
			}
		}
	case c.b.Thinking != "":
		if !s.event("", chunk(map[string]any{"content": []any{thinkingPart(c.b.Thinking)}}, nil)) {
			return
		}
		for _, w := range c.replyWords() {
			if c.withText() && !s.event("", chunk(map[string]any{"content": []any{textPart(w)}}, nil)) {
				return
			}
		}
	case c.withText():
		for _, w := range c.replyWords() {
			if !s.event("", chunk(map[string]any{"content": w}, nil)) {
				return
			}
		}
	}
	if tc := c.b.ToolCall; tc != nil {
		half := len(tc.Arguments) / 2
		deltas := []any{
			map[string]any{"index": 0, "id": tc.ID, "type": "function", "function": map[string]any{"name": tc.Name, "arguments": ""}},
			map[string]any{"index": 0, "function": map[string]any{"arguments": tc.Arguments[:half]}},
			map[string]any{"index": 0, "function": map[string]any{"arguments": tc.Arguments[half:]}},
		}
		for _, d := range deltas {
			if !s.event("", chunk(map[string]any{"tool_calls": []any{d}}, nil)) {
				return
			}
		}
	}
	if !s.event("", chunk(map[string]any{}, c.finishReason())) {
		return
	}
	if includeUsage {
		if !s.event("", c.withTier(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
			"model": c.model, "system_fingerprint": "fp_fake", "choices": []any{}, "usage": c.chatUsage(),
		})) {
			return
		}
	}
	if c.b.NoDone || s.event("", "[DONE]") {
		s.finish()
	}
}

// thinkingPart and textPart are Mistral's content chunks: a thinking
// chunk holds its text as a list of text chunks.
func thinkingPart(text string) map[string]any {
	return map[string]any{"type": "thinking", "thinking": []any{textPart(text)}}
}

func textPart(text string) map[string]any { return map[string]any{"type": "text", "text": text} }

// openAIFunctionName is the name OpenAI's Chat Completions takes for a
// function: up to 64 letters, digits, underscores and dashes.
var openAIFunctionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
