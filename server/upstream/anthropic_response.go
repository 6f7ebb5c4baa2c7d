package upstream

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// anthropicAnswer is an Anthropic Messages answer.
type anthropicAnswer struct {
	ID      string `json:"id"`
	Content []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	StopReason string `json:"stop_reason"`
	// StopDetails says why Claude refused (refusalWords).
	StopDetails *claudeStopDetails `json:"stop_details"`
	Usage       json.RawMessage    `json:"usage"`
}

// chatUsage is OpenAI's usage object.
type chatUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

func toChatUsage(u router.Usage) chatUsage {
	c := chatUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
	c.PromptTokensDetails.CachedTokens = u.CachedTokens
	c.CompletionTokensDetails.ReasoningTokens = u.ReasoningTokens
	return c
}

type chatToolCallOut struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatAnswerMessage struct {
	Role      string            `json:"role"`
	Content   *string           `json:"content"`
	ToolCalls []chatToolCallOut `json:"tool_calls,omitempty"`
	Refusal   *string           `json:"refusal"`
}

type chatAnswer struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index        int               `json:"index"`
		Message      chatAnswerMessage `json:"message"`
		Logprobs     *struct{}         `json:"logprobs"`
		FinishReason string            `json:"finish_reason"`
	} `json:"choices"`
	Usage chatUsage `json:"usage"`
}

// fromAnthropic turns an Anthropic answer into a chat.completion with
// `model` set to m's ID and details added. The usage returned is the
// provider's; the answer reports estimate where it reported none.
func fromAnthropic(raw []byte, m router.Model, details jsonAppender, estimate router.Usage) ([]byte, router.Usage, error) {
	var in anthropicAnswer
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, router.Usage{}, fmt.Errorf("answer is not an Anthropic message")
	}
	usage, shown := shownUsage(in.Usage, nil, estimate)
	msg := chatAnswerMessage{Role: "assistant"}
	var text string
	hasText := false
	for _, b := range in.Content {
		switch b.Type {
		case "text":
			text += b.Text
			hasText = true
		case "tool_use":
			var tc chatToolCallOut
			tc.ID, tc.Type, tc.Function.Name = b.ID, "function", b.Name
			tc.Function.Arguments = string(compactJSON(b.Input))
			msg.ToolCalls = append(msg.ToolCalls, tc)
		}
	}
	if hasText || len(msg.ToolCalls) == 0 {
		msg.Content = &text
	}
	if in.StopReason == "refusal" {
		// The refusal goes where OpenAI's clients read one; the text
		// Claude wrote before it stays in content, as a stream sent it,
		// and with none content is null, as beside OpenAI's refusals.
		refusal := refusalWords(in.StopDetails)
		msg.Refusal = &refusal
		if !hasText {
			msg.Content = nil
		}
	}
	out := chatAnswer{
		ID: in.ID, Object: "chat.completion", Created: time.Now().Unix(), Model: modelID(m),
		Usage: toChatUsage(shown),
	}
	out.Choices = append(out.Choices, struct {
		Index        int               `json:"index"`
		Message      chatAnswerMessage `json:"message"`
		Logprobs     *struct{}         `json:"logprobs"`
		FinishReason string            `json:"finish_reason"`
	}{Message: msg, FinishReason: finishReason(in.StopReason)})
	body, err := json.Marshal(out)
	return withMember(body, "model_selection_details", details), usage, err
}

func compactJSON(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("{}")
	}
	b, err := json.Marshal(raw) // compacts
	if err != nil {
		return []byte("{}")
	}
	return b
}

// anthropicStream translates Anthropic's stream (message_start,
// content_block_start/delta/stop, message_delta, message_stop) into
// chat.completion.chunk events ending in [DONE].
type anthropicStream struct {
	model     string
	wantUsage bool
	id        string
	created   int64
	// tools maps a content block index to its tool call index; argued
	// holds the tool blocks whose input had a fragment.
	tools  map[int]int
	argued map[int]bool
	streamUsage
	// stopped: message_delta brought the stop reason (endAfterStop).
	stopped, done bool
	// errMsg is the provider's error event, which the client hears of in
	// the gateway's own error chunk.
	errMsg  string
	opening heldOpening
}

func newAnthropicStream(m router.Model, wantUsage bool) *anthropicStream {
	return &anthropicStream{model: modelID(m), wantUsage: wantUsage, created: time.Now().Unix(), tools: map[int]int{}, argued: map[int]bool{}}
}

func (s *anthropicStream) complete() bool { return s.done }
func (s *anthropicStream) over() bool     { return claudeOver(s.done, s.errMsg) }

func (s *anthropicStream) failure() (string, bool) { return s.errMsg, false }

func (s *anthropicStream) end() []sseEvent { return endAfterStop(s, s.stopped) }

// anthropicEvent holds the members of every stream event we read.
type anthropicEvent struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message struct {
		ID    string          `json:"id"`
		Usage json.RawMessage `json:"usage"`
	} `json:"message"`
	ContentBlock struct {
		Type string `json:"type"`
		Text string `json:"text"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"content_block"`
	Delta struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
		// StopDetails comes with StopReason "refusal" (refusalWords).
		StopDetails *claudeStopDetails `json:"stop_details"`
	} `json:"delta"`
	Usage json.RawMessage `json:"usage"`
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

type chunkChoice struct {
	Index        int            `json:"index"`
	Delta        map[string]any `json:"delta"`
	Logprobs     *struct{}      `json:"logprobs"`
	FinishReason *string        `json:"finish_reason"`
}

type chunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *chatUsage    `json:"usage,omitempty"`
}

func (s *anthropicStream) chunk(delta map[string]any, finish *string) sseEvent {
	c := chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []chunkChoice{{Delta: delta, FinishReason: finish}}}
	b, _ := json.Marshal(c)
	return sseEvent{data: b}
}

// toolArguments is a chunk with a fragment of tool call i's arguments.
func (s *anthropicStream) toolArguments(i int, args string) sseEvent {
	return s.chunk(map[string]any{"tool_calls": []any{map[string]any{
		"index": i, "function": map[string]any{"arguments": args},
	}}}, nil)
}

// streamUsage reads usage off an Anthropic stream, or a Chat Completions
// one translated to Anthropic's.
type streamUsage struct {
	u        router.Usage
	hasUsage bool
	// final: the usage that ends an Anthropic stream (message_delta's)
	// came, so u is what the answer cost even if the stream breaks later.
	final bool
	// estimate, when set, is the usage the log bills the answer at if its
	// provider reports none (attempt.estimate, of the text streamed so
	// far): what a translated stream tells its client instead (shown).
	estimate func() router.Usage
}

func (s *streamUsage) usage() (router.Usage, bool) { return s.u, s.hasUsage }
func (s *streamUsage) usageFinal() bool            { return s.final }

func (s *streamUsage) estimateWith(estimate func() router.Usage) { s.estimate = estimate }

// shown is the usage a translated stream reports to its client: the
// provider's, or where it reported none the gateway's estimate, which the
// log bills, rather than 0 and 0.
func (s *streamUsage) shown() router.Usage {
	if s.hasUsage || s.estimate == nil {
		return s.u
	}
	return s.estimate()
}

// mergeFinalUsage merges message_delta's usage, the stream's last count.
func (s *streamUsage) mergeFinalUsage(raw json.RawMessage) {
	s.mergeUsage(raw)
	if _, ok := parseUsage(raw); ok {
		s.final = true
	}
}

// mergeUsage keeps the latest non-zero counts: message_start reports the
// input, message_delta the (cumulative) output and the part of it spent
// thinking, and the web searches the answer ran (its server_tool_use).
// Only message_start splits the cache writes by ttl; a message_delta that
// repeats the input counts without the split keeps the split
// message_start gave.
func (s *streamUsage) mergeUsage(raw json.RawMessage) {
	w, ok := parseWireUsage(raw)
	if !ok {
		return
	}
	u := w.usage()
	s.hasUsage = true
	if u.PromptTokens > 0 {
		if _, split := w.hourWrites(); !split {
			u.CacheWrite1hTokens = min(s.u.CacheWrite1hTokens, u.CacheWriteTokens)
		}
		s.u.PromptTokens, s.u.CachedTokens, s.u.CacheWriteTokens = u.PromptTokens, u.CachedTokens, u.CacheWriteTokens
		s.u.CacheWrite1hTokens = u.CacheWrite1hTokens
	}
	if u.CompletionTokens > 0 {
		s.u.CompletionTokens, s.u.ReasoningTokens = u.CompletionTokens, u.ReasoningTokens
	}
	if u.WebSearches > 0 {
		s.u.WebSearches = u.WebSearches
	}
}

func (s *anthropicStream) translate(ev sseEvent) []sseEvent {
	var e anthropicEvent
	if json.Unmarshal(ev.data, &e) != nil {
		return nil
	}
	// The role chunk message_start becomes is held as message_start is.
	return s.opening.claude(e.Type, s.translateEvent(e))
}

// translateEvent translates one event.
func (s *anthropicStream) translateEvent(e anthropicEvent) []sseEvent {
	switch e.Type {
	case "message_start":
		s.id = e.Message.ID
		s.mergeUsage(e.Message.Usage)
		return []sseEvent{s.chunk(map[string]any{"role": "assistant", "content": ""}, nil)}
	case "content_block_start":
		switch e.ContentBlock.Type {
		case "tool_use":
			i := len(s.tools)
			s.tools[e.Index] = i
			return []sseEvent{s.chunk(map[string]any{"tool_calls": []any{map[string]any{
				"index": i, "id": e.ContentBlock.ID, "type": "function",
				"function": map[string]any{"name": e.ContentBlock.Name, "arguments": ""},
			}}}, nil)}
		case "text":
			if e.ContentBlock.Text != "" {
				return []sseEvent{s.chunk(map[string]any{"content": e.ContentBlock.Text}, nil)}
			}
		}
	case "content_block_delta":
		switch e.Delta.Type {
		case "text_delta":
			return []sseEvent{s.chunk(map[string]any{"content": e.Delta.Text}, nil)}
		case "input_json_delta":
			if e.Delta.PartialJSON == "" {
				return nil
			}
			s.argued[e.Index] = true
			return []sseEvent{s.toolArguments(s.tools[e.Index], e.Delta.PartialJSON)}
		}
	case "content_block_stop":
		if i, ok := s.tools[e.Index]; ok && !s.argued[e.Index] {
			// Claude streams the input of a call without parameters as
			// an empty partial_json; "" is no JSON object to the
			// client, which gets {} when the answer is not streamed.
			s.argued[e.Index] = true
			return []sseEvent{s.toolArguments(i, "{}")}
		}
	case "message_delta":
		s.mergeFinalUsage(e.Usage)
		if e.Delta.StopReason != "" {
			s.stopped = true
			finish := finishReason(e.Delta.StopReason)
			var out []sseEvent
			if e.Delta.StopReason == "refusal" {
				// As in the JSON answer: the text streamed so far stays
				// content, the refusal comes in delta.refusal.
				out = append(out, s.chunk(map[string]any{"refusal": refusalWords(e.Delta.StopDetails)}, nil))
			}
			return append(out, s.chunk(map[string]any{}, &finish))
		}
	case "message_stop":
		s.done = true
		var out []sseEvent
		if s.wantUsage {
			u := toChatUsage(s.shown())
			b, _ := json.Marshal(chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created,
				Model: s.model, Choices: []chunkChoice{}, Usage: &u})
			out = append(out, sseEvent{data: b})
		}
		return append(out, sseEvent{data: []byte("[DONE]")})
	case "error":
		// The stream then ends unfinished and counts as broken; the
		// message is what the client's error chunk and the attempt say.
		s.errMsg = e.Error.Message
	}
	// ping, other blocks' content_block_stop and thinking deltas add
	// nothing.
	return nil
}
