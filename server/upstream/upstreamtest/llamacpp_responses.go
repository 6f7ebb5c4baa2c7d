package upstreamtest

// llama.cpp's llama-server streams a Responses answer in a shape of its own
// (ggml-org/llama.cpp tools/server/server-task.cpp,
// to_json_oaicompat_resp_stream and the partial result's
// to_json_oaicompat_resp): no event carries output_index, content_index or
// sequence_number; its response objects hold only id, object and status
// until response.completed; a function_call item has no id, only its
// call_id ("fc_" and the tool call's id), which its argument deltas name as
// their item_id; and every output_item.done, with the text's done events,
// comes at the end, after the last delta.

// llamaCppReasoning, llamaCppMessage and llamaCppCall are the answer's
// output items as llama.cpp writes them, done or still in progress.
func (c *call) llamaCppReasoning(done bool) map[string]any {
	content := []any{}
	if done {
		content = append(content, map[string]any{"type": "reasoning_text", "text": c.b.Thinking})
	}
	return map[string]any{"id": c.reasoningItemID(), "type": "reasoning", "summary": []any{}, "content": content, "encrypted_content": ""}
}

func (c *call) llamaCppMessage(done bool) map[string]any {
	item := map[string]any{"type": "message", "id": c.messageItemID(), "role": "assistant", "status": "in_progress", "content": []any{}}
	if done {
		item["status"], item["content"] = "completed", []any{outputText(c.reply())}
	}
	return item
}

func (c *call) llamaCppCall(done bool) map[string]any {
	tc, args, status := c.b.ToolCall, "", "in_progress"
	if done {
		args, status = tc.Arguments, "completed"
	}
	return map[string]any{"type": "function_call", "call_id": "fc_" + tc.ID, "name": tc.Name, "arguments": args, "status": status}
}

// llamaCppOutput is the finished answer's output: reasoning, text, call.
func (c *call) llamaCppOutput() []any {
	out := []any{}
	if c.b.Thinking != "" {
		out = append(out, c.llamaCppReasoning(true))
	}
	if c.withText() {
		out = append(out, c.llamaCppMessage(true))
	}
	if c.b.ToolCall != nil {
		out = append(out, c.llamaCppCall(true))
	}
	return out
}

// llamaCppEvents are the events of a streamed answer as llama.cpp sends
// them.
func (c *call) llamaCppEvents() []map[string]any {
	opening := map[string]any{"id": c.responseID(), "object": "response", "status": "in_progress"}
	evs := []map[string]any{
		{"type": "response.created", "response": opening},
		{"type": "response.in_progress", "response": opening},
	}
	added := func(item map[string]any) map[string]any {
		return map[string]any{"type": "response.output_item.added", "item": item}
	}
	if c.b.Thinking != "" {
		evs = append(evs, added(c.llamaCppReasoning(false)),
			map[string]any{"type": "response.reasoning_text.delta", "item_id": c.reasoningItemID(), "delta": c.b.Thinking})
	}
	msg := c.messageItemID()
	if c.withText() {
		evs = append(evs, added(c.llamaCppMessage(false)),
			map[string]any{"type": "response.content_part.added", "item_id": msg, "part": map[string]any{"type": "output_text", "text": ""}})
		for _, w := range c.replyWords() {
			evs = append(evs, map[string]any{"type": "response.output_text.delta", "item_id": msg, "delta": w})
		}
	}
	if tc := c.b.ToolCall; tc != nil {
		half := len(tc.Arguments) / 2
		evs = append(evs, added(c.llamaCppCall(false)))
		for _, d := range []string{tc.Arguments[:half], tc.Arguments[half:]} {
			evs = append(evs, map[string]any{"type": "response.function_call_arguments.delta", "item_id": "fc_" + tc.ID, "delta": d})
		}
	}
	output := c.llamaCppOutput()
	for _, it := range output {
		item := it.(map[string]any)
		if item["type"] == "message" {
			evs = append(evs,
				map[string]any{"type": "response.output_text.done", "item_id": msg, "text": c.reply()},
				map[string]any{"type": "response.content_part.done", "item_id": msg, "part": outputText(c.reply())})
		}
		evs = append(evs, map[string]any{"type": "response.output_item.done", "item": item})
	}
	p, n := c.promptTokens(), c.completionTokens()
	return append(evs, map[string]any{"type": "response.completed", "response": map[string]any{
		"id": c.responseID(), "object": "response", "created_at": created, "status": "completed", "model": c.model,
		"output": output, "usage": map[string]any{"input_tokens": p, "output_tokens": n, "total_tokens": p + n}}})
}
