package upstream

import "encoding/json"

// itemID is the id of a Responses item ("" when it has none).
func itemID(raw json.RawMessage) string {
	var it struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &it) != nil {
		return ""
	}
	return it.ID
}

// itemIDs reads the ids of the items a Responses JSON answer gives the
// client: a response object's output items, or a list's (input_items)
// items, each once.
func itemIDs(raw []byte) []string {
	var body struct {
		Output []struct {
			ID string `json:"id"`
		} `json:"output"`
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return nil
	}
	var ids []string
	for _, it := range append(body.Output, body.Data...) {
		if it.ID != "" {
			ids = append(ids, it.ID)
		}
	}
	return ids
}
