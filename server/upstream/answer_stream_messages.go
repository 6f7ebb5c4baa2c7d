package upstream

import (
	"encoding/json"
)

// messageEvents writes an Anthropic message as its stream: message_start
// with the message's members but no content, stop reason or output tokens
// yet; per content block content_block_start with the block emptied of
// what its deltas carry, those deltas (citations_delta, text_delta,
// thinking_delta, signature_delta, input_json_delta with the whole input)
// and content_block_stop; message_delta with the stop reason and the
// message's usage (its counts are the whole message's, which the SDKs
// take over); message_stop.
func messageEvents(body []byte) ([]sseEvent, error) {
	msg, err := scanObject(body)
	if err != nil {
		return nil, errNotAsStream
	}
	blocks, err := elements(msg.get("content"))
	if err != nil {
		return nil, err
	}
	usage := msg.get("usage")
	if len(usage) == 0 || string(usage) == "null" {
		usage = []byte(`{"output_tokens":0}`)
	}
	start := msg.clone()
	start.setString("content", []byte("[]"))
	start.setString("stop_reason", []byte("null"))
	start.setString("stop_sequence", []byte("null"))
	start.del("stop_details")
	if u, err := scanObject(usage); err == nil {
		u.setString("output_tokens", []byte("0"))
		start.setString("usage", u.encode())
	}
	out := []sseEvent{messagesEvent("message_start", map[string]any{"message": json.RawMessage(start.encode())})}
	for i, raw := range blocks {
		events, err := blockEvents(i, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, events...)
	}
	delta := object{}
	delta.setString("stop_reason", orNull(msg.get("stop_reason")))
	delta.setString("stop_sequence", orNull(msg.get("stop_sequence")))
	for _, key := range []string{"stop_details", "container"} {
		if v := msg.get(key); v != nil {
			delta.setString(key, v)
		}
	}
	return append(out,
		messagesEvent("message_delta", map[string]any{"delta": json.RawMessage(delta.encode()), "usage": json.RawMessage(usage)}),
		messagesEvent("message_stop", map[string]any{}),
	), nil
}

// blockStrings are the string members of content blocks that streams send
// in deltas, with their delta types, in the order Anthropic sends them.
var blockStrings = []struct{ key, delta string }{
	{"text", "text_delta"}, {"thinking", "thinking_delta"}, {"signature", "signature_delta"},
}

// blockEvents writes content block index: its start, deltas and stop. A
// block with nothing to stream (redacted_thinking, a server tool's result)
// starts whole.
func blockEvents(index int, raw []byte) ([]sseEvent, error) {
	block, err := scanObject(raw)
	if err != nil {
		return nil, errNotAsStream
	}
	start := block.clone()
	var deltas []map[string]any
	citations, err := elements(block.get("citations"))
	if err != nil {
		return nil, err
	}
	if len(citations) > 0 {
		// Each citation precedes the text it cites, as Anthropic sends them.
		start.setString("citations", []byte("[]"))
		for _, c := range citations {
			deltas = append(deltas, map[string]any{"type": "citations_delta", "citation": json.RawMessage(c)})
		}
	}
	for _, s := range blockStrings {
		v := block.get(s.key)
		if len(v) == 0 || v[0] != '"' {
			continue
		}
		start.setString(s.key, []byte(`""`))
		if nonEmptyString(v) {
			deltas = append(deltas, map[string]any{"type": s.delta, s.key: json.RawMessage(v)})
		}
	}
	if v := block.get("input"); len(v) > 0 && v[0] == '{' {
		// tool_use and server_tool_use: the input goes as one fragment of
		// its JSON, which the SDKs parse at the block's end.
		start.setString("input", []byte("{}"))
		if input := string(compactJSON(v)); input != "{}" {
			deltas = append(deltas, map[string]any{"type": "input_json_delta", "partial_json": input})
		}
	}
	out := []sseEvent{messagesEvent("content_block_start", map[string]any{
		"index": index, "content_block": json.RawMessage(start.encode()),
	})}
	for _, d := range deltas {
		out = append(out, messagesEvent("content_block_delta", map[string]any{"index": index, "delta": d}))
	}
	return append(out, messagesEvent("content_block_stop", map[string]any{"index": index})), nil
}
