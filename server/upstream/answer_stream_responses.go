package upstream

import (
	"encoding/json"
)

// responseEvents writes a Responses API response as its stream, numbered
// from 0: response.created and response.in_progress with the response in
// progress (no output or usage yet); per output item output_item.added
// with the item in progress, its content (a message's parts, each
// content_part.added, output_text.delta or refusal.delta, their .done and
// content_part.done; a function call's function_call_arguments.delta and
// .done) and output_item.done with the item whole; then the event that
// ends the stream with the whole response (finalEvent). Other items
// (reasoning, a built-in tool's call) go whole in their added and done
// events. A response still queued or in progress (a background one) is
// not over: its stream is only its opening (pendingEvents).
func responseEvents(body []byte) ([]sseEvent, error) {
	resp, err := scanObject(body)
	if err != nil {
		return nil, errNotAsStream
	}
	status := string(resp.get("status"))
	var seq responsesSequence
	if status == `"queued"` || status == `"in_progress"` {
		return pendingEvents(&seq, resp, body), nil
	}
	items, err := elements(resp.get("output"))
	if err != nil {
		return nil, err
	}
	open := opening(resp)
	open.setString("status", []byte(`"in_progress"`))
	out := []sseEvent{
		seq.event("response.created", map[string]any{"response": json.RawMessage(open.encode())}),
		seq.event("response.in_progress", map[string]any{"response": json.RawMessage(open.encode())}),
	}
	for i, raw := range items {
		if out, err = itemEvents(out, &seq, i, raw); err != nil {
			return nil, err
		}
	}
	return append(out, seq.event(finalEvent(status), map[string]any{"response": json.RawMessage(body)})), nil
}

// finalEvent is the event that ends a finished response's stream, by its
// status: response.completed only for a completed one (or one without a
// status), since clients take it for a whole answer; response.incomplete
// and response.failed for theirs. A cancelled response is over without
// being whole or failing, and the API has no event of its own for it:
// it ends in response.incomplete, as OpenAI ends a response the user cut
// short by steering it, and the response's status says cancelled.
func finalEvent(status string) string {
	switch status {
	case `"incomplete"`, `"cancelled"`:
		return "response.incomplete"
	case `"failed"`:
		return "response.failed"
	}
	return "response.completed"
}

// pendingEvents is the stream of a response that is not over, queued or
// in progress, as a background response is when it is made: its
// response.created, then response.queued or response.in_progress with the
// response as it is, as OpenAI opens a background response's stream. No
// event ends it: a response.completed would tell the client's SDK that
// the answer is whole and empty. The client has the response's id and
// reads the rest by it (GET /v1/responses/{id}, or streamed from the last
// event, as after a dropped connection).
func pendingEvents(seq *responsesSequence, resp object, body []byte) []sseEvent {
	next := "response.in_progress"
	if string(resp.get("status")) == `"queued"` {
		next = "response.queued"
	}
	open := opening(resp)
	return []sseEvent{
		seq.event("response.created", map[string]any{"response": json.RawMessage(open.encode())}),
		seq.event(next, map[string]any{"response": json.RawMessage(body)}),
	}
}

// opening is resp as a stream's response.created shows it: no output,
// usage or outcome yet.
func opening(resp object) object {
	open := resp.clone()
	open.setString("output", []byte("[]"))
	for _, key := range []string{"usage", "error", "incomplete_details", "completed_at"} {
		if open.has(key) {
			open.setString(key, []byte("null"))
		}
	}
	return open
}

// itemEvents appends the events of output item index to out.
func itemEvents(out []sseEvent, seq *responsesSequence, index int, raw []byte) ([]sseEvent, error) {
	item, err := scanObject(raw)
	if err != nil {
		return nil, errNotAsStream
	}
	id := json.RawMessage(orNull(item.get("id")))
	typ := string(item.get("type"))
	added := item.clone()
	if added.has("status") {
		added.setString("status", []byte(`"in_progress"`))
	}
	var parts [][]byte
	switch typ {
	case `"message"`:
		if parts, err = elements(item.get("content")); err != nil {
			return nil, err
		}
		added.setString("content", []byte("[]"))
	case `"function_call"`:
		added.setString("arguments", []byte(`""`))
	}
	out = append(out, seq.event("response.output_item.added", map[string]any{
		"output_index": index, "item": json.RawMessage(added.encode()),
	}))
	for n, p := range parts {
		if out, err = partEvents(out, seq, id, index, n, p); err != nil {
			return nil, err
		}
	}
	if typ == `"function_call"` {
		args := orEmptyString(item.get("arguments"))
		if nonEmptyString(args) {
			out = append(out, seq.event("response.function_call_arguments.delta", map[string]any{
				"item_id": id, "output_index": index, "delta": json.RawMessage(args),
			}))
		}
		out = append(out, seq.event("response.function_call_arguments.done", map[string]any{
			"item_id": id, "output_index": index, "name": json.RawMessage(orNull(item.get("name"))), "arguments": json.RawMessage(args),
		}))
	}
	return append(out, seq.event("response.output_item.done", map[string]any{
		"output_index": index, "item": json.RawMessage(raw),
	})), nil
}

// partEvents appends the events of a message item's content part n: its
// text (or refusal) as one delta between the part's added and done.
func partEvents(out []sseEvent, seq *responsesSequence, itemID json.RawMessage, index, n int, raw []byte) ([]sseEvent, error) {
	part, err := scanObject(raw)
	if err != nil {
		return nil, errNotAsStream
	}
	var key, name string
	switch string(part.get("type")) {
	case `"output_text"`:
		key, name = "text", "response.output_text"
	case `"refusal"`:
		key, name = "refusal", "response.refusal"
	}
	fields := func(more map[string]any) map[string]any {
		more["item_id"], more["output_index"], more["content_index"] = itemID, index, n
		return more
	}
	empty := part.clone()
	if key != "" {
		empty.setString(key, []byte(`""`))
	}
	if empty.has("annotations") {
		empty.setString("annotations", []byte("[]"))
	}
	out = append(out, seq.event("response.content_part.added", fields(map[string]any{"part": json.RawMessage(empty.encode())})))
	if key != "" {
		v := orEmptyString(part.get(key))
		delta, done := map[string]any{"delta": json.RawMessage(v)}, map[string]any{key: json.RawMessage(v)}
		if key == "text" {
			delta["logprobs"], done["logprobs"] = []struct{}{}, []struct{}{}
		}
		if nonEmptyString(v) {
			out = append(out, seq.event(name+".delta", fields(delta)))
		}
		out = append(out, seq.event(name+".done", fields(done)))
	}
	return append(out, seq.event("response.content_part.done", fields(map[string]any{"part": json.RawMessage(raw)}))), nil
}

// orEmptyString is v when it is a JSON string, "" otherwise.
func orEmptyString(v []byte) []byte {
	if len(v) == 0 || v[0] != '"' {
		return []byte(`""`)
	}
	return v
}
