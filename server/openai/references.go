package openai

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// A Responses call may name an earlier output item by its id alone
// (item_reference), as OpenAI's clients do for answers OpenAI stores. For
// an item of an answer the gateway keeps, no provider knows the id, so the
// gateway sends the item itself instead. The functions here are that
// rewrite.

// ResolveReferences rewrites a Responses body: each item_reference input
// item for which resolve returns input items (a JSON array, possibly
// empty) is replaced by them, in its place; one it returns nil for stays
// as it is. Before resolve is first called, prepare is called once with
// the ids of all the body's item_references, in their order, so that
// what they name can be read at once. raw itself comes back when nothing
// was replaced, and prepare's or resolve's error ends the rewrite.
func ResolveReferences(raw []byte, prepare func(ids []string) error, resolve func(id string) (json.RawMessage, error)) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, invalid("", "the body is not a JSON object")
	}
	in := bytes.TrimSpace(top["input"])
	if len(in) == 0 || in[0] != '[' {
		return raw, nil
	}
	items, ok := jsonscan.Elements(in)
	if !ok {
		return nil, invalid("input", "input must be a string or an array of input items")
	}
	refs := make([]string, len(items)) // each item's reference's id, "" for other items
	var ids []string
	for i, item := range items {
		if it, _, ok := readItem(item, nil); ok && it.Type == "item_reference" && it.StoredID != "" {
			refs[i] = it.StoredID
			ids = append(ids, it.StoredID)
		}
	}
	if len(ids) == 0 {
		return raw, nil
	}
	if err := prepare(ids); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(in)+64)
	out = append(out, '[')
	changed := false
	for i, item := range items {
		if id := refs[i]; id != "" {
			by, err := resolve(id)
			if err != nil {
				return nil, err
			}
			if by != nil {
				if item, ok = arrayItems(by); !ok {
					return nil, fmt.Errorf("input[%d]: the item %q resolves to no array of items", i, id)
				}
				changed = true
			}
		}
		if len(item) == 0 {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, item...)
	}
	if !changed {
		return raw, nil
	}
	top["input"] = append(out, ']')
	return encodeTop(top, len(raw)+len(out)), nil
}

// OutputItemsAsInput reads a response object's output items by id, each
// as the input items that replay it to any model (OutputAsInput): a
// message as an assistant message with its text, a function call with its
// call id, name and arguments, anything else (or an empty message) as no
// item.
func OutputItemsAsInput(response []byte) (map[string]json.RawMessage, error) {
	var body struct {
		Output []json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(response, &body); err != nil {
		return nil, fmt.Errorf("a kept answer is not a response object: %w", err)
	}
	byID := make(map[string]json.RawMessage, len(body.Output))
	for _, item := range body.Output {
		var it struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(item, &it) != nil || it.ID == "" {
			continue
		}
		replay, err := OutputAsInput(append(append([]byte{'['}, item...), ']'))
		if err != nil {
			return nil, err
		}
		byID[it.ID] = replay
	}
	return byID, nil
}
