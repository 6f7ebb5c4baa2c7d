package openai

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/modelrouter/modelrouter/server/internal/itemid"
)

// A Responses API call may continue a stored response by its
// previous_response_id. When the gateway itself keeps that response (no
// provider stores a translated answer), it sends the conversation again
// instead: what each earlier call sent and what it got, as input items,
// then the call's own input. The functions here are that rewrite.

// InputItems returns a Responses body's own input as an array of input
// items: a string becomes one user message, a missing input an empty array.
func InputItems(raw []byte) (json.RawMessage, error) {
	var body struct {
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, invalid("", "the body is not a JSON object")
	}
	return inputItems(body.Input)
}

// inputItems is InputItems on the body's `input` member.
func inputItems(input json.RawMessage) (json.RawMessage, error) {
	in := bytes.TrimSpace(input)
	switch {
	case len(in) == 0 || isNull(in):
		return json.RawMessage(`[]`), nil
	case in[0] == '"':
		return json.Marshal([]inputMessage{{Role: "user", Content: in}})
	case in[0] == '[':
		return in, nil
	}
	return nil, invalid("input", "input must be a string or an array of input items")
}

// inputMessage is the Responses API's short message form, which every
// role may use with plain text content.
type inputMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// replayedCall is a function call output item as an input item. The
// item's own id is left out: it was made up for a translated answer, and
// a provider that did not make it could refuse it.
type replayedCall struct {
	Type      string `json:"type"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// OutputAsInput turns a response's output items into input items that
// replay them to any model: an assistant message becomes a short message
// with its text (a refusal part after text a paragraph apart), a function call keeps its call id, name and arguments
// (the client's function_call_output refers to the call id). Other items
// (reasoning) carry nothing another model could read and are dropped.
func OutputAsInput(output json.RawMessage) (json.RawMessage, error) {
	var items []struct {
		Type    string `json:"type"`
		Content []struct {
			Type    string `json:"type"`
			Text    string `json:"text"`
			Refusal string `json:"refusal"`
		} `json:"content"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	if err := json.Unmarshal(output, &items); err != nil {
		return nil, invalid("output", "output is not an array of output items")
	}
	replay := []any{}
	for _, it := range items {
		switch it.Type {
		case "message":
			var text strings.Builder
			for _, part := range it.Content {
				text.WriteString(part.Text)
				if part.Refusal != "" && text.Len() > 0 {
					// Claude's refusal after the text it cut off
					// (a refusal part of its own): a paragraph apart,
					// not run into the cut-off sentence.
					text.WriteString("\n\n")
				}
				text.WriteString(part.Refusal)
			}
			if text.Len() == 0 {
				continue // an empty assistant turn is refused by Anthropic
			}
			content, _ := json.Marshal(text.String())
			replay = append(replay, inputMessage{Role: "assistant", Content: content})
		case "function_call":
			replay = append(replay, replayedCall{Type: "function_call", CallID: it.CallID, Name: it.Name, Arguments: it.Arguments})
		}
	}
	return json.Marshal(replay)
}

// Continue rewrites a Responses body that continues a kept conversation:
// the history (arrays of input items, oldest first) goes before the body's
// own input, and previous_response_id goes away, so any model can answer.
// The arrays are joined as bytes: the history was checked when it was kept
// and the body is parsed again for routing, and re-encoding a long
// conversation would cost as much as that parse.
func Continue(raw []byte, history []json.RawMessage) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, invalid("", "the body is not a JSON object")
	}
	own, err := inputItems(top["input"])
	if err != nil {
		return nil, err
	}
	input := []byte{'['}
	for _, part := range append(history, own) {
		items, ok := arrayItems(part)
		if !ok {
			return nil, invalid("input", "input must be a string or an array of input items")
		}
		if len(items) > 0 && len(input) > 1 {
			input = append(input, ',')
		}
		input = append(input, items...)
	}
	top["input"] = append(input, ']')
	delete(top, "previous_response_id")
	return encodeTop(top, len(raw)+len(input)), nil
}

// encodeTop writes a body's members back as a JSON object, in name order,
// each value as it came; size is a guess at the result's length.
func encodeTop(top map[string]json.RawMessage, size int) []byte {
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]byte, 0, size+16)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(k)
		out = append(append(append(out, name...), ':'), top[k]...)
	}
	return append(out, '}')
}

// arrayItems returns what is between the brackets of a JSON array, without
// the surrounding space; ok is false when part is not an array.
func arrayItems(part json.RawMessage) (items []byte, ok bool) {
	part = bytes.TrimSpace(part)
	if len(part) < 2 || part[0] != '[' || part[len(part)-1] != ']' {
		return nil, false
	}
	return bytes.TrimSpace(part[1 : len(part)-1]), true
}

// ReplayAsOutput is OutputAsInput backwards, for an answer kept before the
// answer itself was: an assistant message becomes a completed message
// output item with its text, a function call a completed function_call
// item. Ids are made of the response id and the item's place.
func ReplayAsOutput(replay json.RawMessage, responseID string) json.RawMessage {
	var items []struct {
		Type      string          `json:"type"`
		Role      string          `json:"role"`
		Content   json.RawMessage `json:"content"`
		CallID    string          `json:"call_id"`
		Name      string          `json:"name"`
		Arguments string          `json:"arguments"`
	}
	_ = json.Unmarshal(replay, &items)
	out := []any{}
	for i, it := range items {
		switch {
		case it.Type == "function_call":
			out = append(out, map[string]any{"type": "function_call", "id": itemid.Make("fc_", responseID, i), "status": "completed",
				"call_id": it.CallID, "name": it.Name, "arguments": it.Arguments})
		case it.Role == "assistant":
			var text string
			_ = json.Unmarshal(it.Content, &text)
			out = append(out, map[string]any{"type": "message", "id": itemid.Make("msg_", responseID, i), "status": "completed", "role": "assistant",
				"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}})
		}
	}
	b, _ := json.Marshal(out)
	return b
}
