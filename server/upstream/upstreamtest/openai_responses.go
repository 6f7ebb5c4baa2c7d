package upstreamtest

import (
	"fmt"
	"net/http"
)

func (f *Fake) responses(w http.ResponseWriter, r *http.Request) {
	c := f.begin(w, r, "", f.openAIKeyOK(r), writeModelError)
	if c == nil {
		return
	}
	if _, ok := c.body["input"]; !ok {
		writeOpenAIError(w, http.StatusBadRequest, "input is required")
		return
	}
	if prev, _ := c.body["previous_response_id"].(string); prev != "" && c.b.LlamaCpp {
		writeOpenAIError(w, http.StatusBadRequest, "llama.cpp does not support 'previous_response_id'.")
		return
	}
	if prev, _ := c.body["previous_response_id"].(string); prev != "" && !c.b.Stateless && !f.knows(prev) {
		// As OpenAI answers an id it does not have (never made, deleted,
		// past its retention, or written with store: false): a 400 with
		// its own code and param, which clients read to send the whole
		// conversation instead. OpenAI documents no status for it; 400 is
		// what its API is reported answering (maximhq/bifrost#2441,
		// bigduu/Bamboo-agent#513).
		writeOpenAIErrorParam(w, http.StatusBadRequest, fmt.Sprintf("Previous response with id '%s' not found.", prev),
			"previous_response_id", "previous_response_not_found")
		return
	}
	bg, _ := c.body["background"].(bool)
	bg = bg && !c.b.LlamaCpp // llama.cpp documents no background: the fake answers at once
	if bg && c.b.NoBackground {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprint(w, vLLMNoBackground)
		return
	}
	if !c.b.Stateless && !c.b.LlamaCpp {
		c.store()
	}
	stream, _ := c.body["stream"].(bool)
	stream = stream && !c.b.NoStreaming
	if bg {
		resp := f.startBackground(c, stream)
		if stream {
			sendEvents(responsesSSE(c), c.responsesEvents(true))
			return
		}
		writeJSON(w, resp)
		return
	}
	switch {
	case stream && c.b.LlamaCpp:
		sendEvents(c.startSSE(), c.llamaCppEvents())
	case stream:
		c.responsesStream()
	default:
		writeJSON(w, c.response("completed"))
	}
}

// vLLMNoBackground is vLLM's refusal of a background call when started
// without its response store.
const vLLMNoBackground = `{"error":{"message":"This vLLM engine does not support ` + "`store=True`" + ` and therefore does not support the background mode. To enable these features, set the environment variable ` + "`VLLM_ENABLE_RESPONSES_API_STORE=1`" + ` when launching the vLLM server.","type":"invalid_request_error","param":"background","code":400}}`

// responseID is the id of the call's answer: the fake's own, numbered.
func (c *call) responseID() string { return fmt.Sprintf("resp_fake_%d", c.seq) }

// The answer's output item ids, this answer's own, as OpenAI's are.
func (c *call) messageItemID() string   { return fmt.Sprintf("msg_fake_%d", c.seq) }
func (c *call) callItemID() string      { return fmt.Sprintf("fc_fake_%d", c.seq) }
func (c *call) reasoningItemID() string { return fmt.Sprintf("rs_fake_%d", c.seq) }

// response is the answer's response object with this status: every item
// when completed, none before, as OpenAI's response.created carries it.
func (c *call) response(status string) map[string]any {
	output := []any{}
	if status == "completed" {
		for i := range c.b.WebSearches {
			output = append(output, c.webSearchItem(i))
		}
		if c.b.Thinking != "" {
			output = append(output, c.reasoningItem())
		}
		if c.withText() {
			output = append(output, c.messageItem("completed"))
		}
		if c.b.ToolCall != nil {
			output = append(output, c.callItem("completed"))
		}
	}
	resp := map[string]any{
		"id": c.responseID(), "object": "response", "created_at": created, "status": status,
		"error": nil, "incomplete_details": nil, "model": c.model, "output": output,
		"parallel_tool_calls": true, "tool_choice": "auto", "tools": c.tools(), "metadata": map[string]any{},
		"usage": nil, "previous_response_id": c.body["previous_response_id"], "store": c.body["store"] != false,
	}
	switch {
	case c.b.Stateless:
		// Ollama's answer: it read no previous_response_id and keeps
		// nothing.
		resp["previous_response_id"], resp["store"] = nil, false
	case c.b.LlamaCpp:
		// llama.cpp's says nothing of either, and its items are its own.
		delete(resp, "previous_response_id")
		delete(resp, "store")
		if status == "completed" {
			resp["output"] = c.llamaCppOutput()
		}
	}
	if status == "completed" {
		p, n := c.promptTokens(), c.completionTokens()
		resp["usage"] = map[string]any{
			"input_tokens": p, "output_tokens": n, "total_tokens": p + n,
			"input_tokens_details":  map[string]any{"cached_tokens": c.b.CachedTokens},
			"output_tokens_details": map[string]any{"reasoning_tokens": c.b.ReasoningTokens},
		}
	}
	return c.withTier(resp)
}

// tools are the tools the call offered, which OpenAI's response object
// echoes.
func (c *call) tools() any {
	if tools, ok := c.body["tools"].([]any); ok {
		return tools
	}
	return []any{}
}

// messageItem is the reply as a message output item: its text once
// completed, no content while in progress.
func (c *call) messageItem(status string) map[string]any {
	content := []any{}
	if status == "completed" {
		content = append(content, outputText(c.reply()))
	}
	return map[string]any{"type": "message", "id": c.messageItemID(), "status": status, "role": "assistant", "content": content}
}

// webSearchItem is the i-th search the web search tool ran, as a
// web_search_call output item.
func (c *call) webSearchItem(i int) map[string]any {
	return map[string]any{"type": "web_search_call", "id": fmt.Sprintf("ws_fake_%d_%d", c.seq, i), "status": "completed",
		"action": map[string]any{"type": "search", "query": "capital of France"}}
}

// reasoningItem is the thinking as a reasoning output item, its text the
// summary, as a reasoning model's answer opens.
func (c *call) reasoningItem() map[string]any {
	return map[string]any{"type": "reasoning", "id": c.reasoningItemID(),
		"summary": []any{map[string]any{"type": "summary_text", "text": c.b.Thinking}}}
}

// callItem is the tool call as a function_call output item: its arguments
// once completed, none while in progress.
func (c *call) callItem(status string) map[string]any {
	tc, args := c.b.ToolCall, ""
	if status == "completed" {
		args = tc.Arguments
	}
	return map[string]any{
		"type": "function_call", "id": c.callItemID(), "call_id": tc.ID, "name": tc.Name, "arguments": args, "status": status,
	}
}

func outputText(text string) map[string]any {
	return map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
}

// responsesEvents are the events of a streamed answer, as OpenAI sends
// them: response.created and response.in_progress; for the reply a message
// item (output_item.added, content_part.added, one output_text.delta per
// word, output_text.done, content_part.done, output_item.done); for a tool
// call a function_call item (output_item.added, its arguments in two
// function_call_arguments.delta, function_call_arguments.done,
// output_item.done); then response.completed with every item and the
// usage. Each carries its sequence_number, from 0. A background answer's
// stream opens as OpenAI opens it, response.created with the response
// queued and response.queued before response.in_progress, and replaying
// it by id numbers every event as it was numbered when it was made.
func (c *call) responsesEvents(background bool) []map[string]any {
	evs := []map[string]any{
		{"type": "response.created", "response": c.response("in_progress")},
		{"type": "response.in_progress", "response": c.response("in_progress")},
	}
	if background {
		evs = []map[string]any{
			{"type": "response.created", "response": c.response("queued")},
			{"type": "response.queued", "response": c.response("queued")},
			evs[1],
		}
	}
	index := 0
	if c.b.Thinking != "" {
		evs = append(evs,
			map[string]any{"type": "response.output_item.added", "output_index": index, "item": c.reasoningItem()},
			map[string]any{"type": "response.output_item.done", "output_index": index, "item": c.reasoningItem()})
		index++
	}
	if c.withText() {
		id, text := c.messageItemID(), c.reply()
		part := func(typ string, more map[string]any) map[string]any {
			ev := map[string]any{"type": typ, "item_id": id, "output_index": index, "content_index": 0}
			for k, v := range more {
				ev[k] = v
			}
			return ev
		}
		evs = append(evs,
			map[string]any{"type": "response.output_item.added", "output_index": index, "item": c.messageItem("in_progress")},
			part("response.content_part.added", map[string]any{"part": outputText("")}))
		for _, w := range c.replyWords() {
			evs = append(evs, part("response.output_text.delta", map[string]any{"delta": w, "logprobs": []any{}}))
		}
		evs = append(evs,
			part("response.output_text.done", map[string]any{"text": text, "logprobs": []any{}}),
			part("response.content_part.done", map[string]any{"part": outputText(text)}),
			map[string]any{"type": "response.output_item.done", "output_index": index, "item": c.messageItem("completed")})
		index++
	}
	if tc := c.b.ToolCall; tc != nil {
		id, half := c.callItemID(), len(tc.Arguments)/2
		evs = append(evs, map[string]any{"type": "response.output_item.added", "output_index": index, "item": c.callItem("in_progress")})
		for _, d := range []string{tc.Arguments[:half], tc.Arguments[half:]} {
			evs = append(evs, map[string]any{"type": "response.function_call_arguments.delta", "item_id": id, "output_index": index, "delta": d})
		}
		evs = append(evs,
			map[string]any{"type": "response.function_call_arguments.done", "item_id": id, "output_index": index, "name": tc.Name, "arguments": tc.Arguments},
			map[string]any{"type": "response.output_item.done", "output_index": index, "item": c.callItem("completed")})
	}
	evs = append(evs, map[string]any{"type": "response.completed", "response": c.response("completed")})
	for i, ev := range evs {
		ev["sequence_number"] = i
		if resp, ok := ev["response"].(map[string]any); ok {
			resp["background"] = background
		}
	}
	return evs
}

// responsesStream sends the answer's events as named events.
func (c *call) responsesStream() {
	sendEvents(responsesSSE(c), c.responsesEvents(false))
}

// responsesSSE starts a Responses stream, whose keep-alives are events
// numbered with the answer's, as OpenAI sends them while a model is slow.
func responsesSSE(c *call) *sse {
	s := c.startSSE()
	s.keepAlive = func(seq int) string {
		return fmt.Sprintf("event: keepalive\ndata: {\"type\":\"keepalive\",\"sequence_number\":%d}\n\n", seq)
	}
	return s
}

func sendEvents(s *sse, evs []map[string]any) {
	for _, ev := range evs {
		if !s.event(ev["type"].(string), ev) {
			return
		}
	}
	s.finish()
}
