package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// ItemQuery is how GET /v1/responses/{id}/input_items pages a list.
type ItemQuery struct {
	// Limit is 1 to 100 (default 20); Order "asc" (oldest first) or
	// "desc" (the default); After the id of the item the page follows.
	Limit int
	Order string
	After string
}

// ParseItemQuery reads limit, order and after as OpenAI defines them.
func ParseItemQuery(limit, order, after string) (ItemQuery, error) {
	q := ItemQuery{Limit: 20, Order: "desc", After: after}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > 100 {
			return q, invalid("limit", "limit must be an integer from 1 to 100, got %q", limit)
		}
		q.Limit = n
	}
	switch order {
	case "":
	case "asc", "desc":
		q.Order = order
	default:
		return q, invalid("order", "order must be 'asc' or 'desc', got %q", order)
	}
	return q, nil
}

// listedItem is an input item as a list shows it: with an id and a type,
// and a message's text as content parts.
type listedItem map[string]json.RawMessage

// InputItemList is the page of a kept response's input items (a JSON
// array, as [InputItems] returns) that q asks for, in OpenAI's list shape:
// {"object": "list", "data", "first_id", "last_id", "has_more"}. An item
// without an id gets one made of the response id and its place, so the
// same item has the same id on every read and `after` can name it.
func InputItemList(items json.RawMessage, responseID string, q ItemQuery) ([]byte, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(items, &raw); err != nil {
		return nil, fmt.Errorf("kept input of %s is not an array: %w", responseID, err)
	}
	list := make([]listedItem, 0, len(raw))
	for i, r := range raw {
		var it listedItem
		if err := json.Unmarshal(r, &it); err != nil || it == nil {
			continue // not an item; a provider would have refused it
		}
		it.normalize(fmt.Sprintf("item_%s_%d", responseID, i))
		list = append(list, it)
	}
	if q.Order != "asc" {
		slices.Reverse(list)
	}
	if q.After != "" {
		i := slices.IndexFunc(list, func(it listedItem) bool { return it.id() == q.After })
		if i < 0 {
			return nil, invalid("after", "no input item %q in response %s", q.After, responseID)
		}
		list = list[i+1:]
	}
	more := len(list) > q.Limit
	list = list[:min(q.Limit, len(list))]
	page := struct {
		Object  string       `json:"object"`
		Data    []listedItem `json:"data"`
		FirstID *string      `json:"first_id"`
		LastID  *string      `json:"last_id"`
		HasMore bool         `json:"has_more"`
	}{Object: "list", Data: list, HasMore: more}
	if len(list) > 0 {
		first, last := list[0].id(), list[len(list)-1].id()
		page.FirstID, page.LastID = &first, &last
	}
	return json.Marshal(page)
}

func (it listedItem) id() string {
	var id string
	_ = json.Unmarshal(it["id"], &id)
	return id
}

// normalize gives the item an id and a type, and a message's string
// content the content part it stands for.
func (it listedItem) normalize(id string) {
	if it.id() == "" {
		it["id"], _ = json.Marshal(id)
	}
	if _, ok := it["type"]; !ok {
		it["type"] = json.RawMessage(`"message"`)
	}
	content := bytes.TrimSpace(it["content"])
	if len(content) == 0 || content[0] != '"' {
		return
	}
	part := "input_text"
	if bytes.Equal(bytes.TrimSpace(it["role"]), []byte(`"assistant"`)) {
		part = "output_text"
	}
	it["content"], _ = json.Marshal([]map[string]json.RawMessage{{
		"type": json.RawMessage(`"` + part + `"`), "text": content,
	}})
}
