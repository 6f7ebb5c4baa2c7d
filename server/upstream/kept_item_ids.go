package upstream

import (
	"bytes"
	"encoding/json"

	"github.com/modelrouter/modelrouter/server/internal/itemid"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// keptItems gives the messages and function calls of an answer the gateway
// keeps for a server that keeps none (keepsAnswerOf) the ids it gives
// Claude's (itemid: the kept answer's id and the item's place), so a
// client's item_reference to one leads to the kept answer. The server's
// own ids name nothing it could read back, and Ollama's repeat ("msg_" and
// a number below 999,999). Other items (reasoning) keep the server's ids:
// an item_reference is read back for messages and function calls only.
type keptItems struct {
	response string
	// renamed maps the server's id of each renamed item to the gateway's,
	// for a stream's events that name the item by item_id alone.
	renamed map[string]string
}

func newKeptItems(response string) *keptItems {
	return &keptItems{response: response, renamed: map[string]string{}}
}

// item is raw, the output item at index, with the gateway's id.
func (k *keptItems) item(raw []byte, index int) []byte {
	obj, err := scanObject(raw)
	if err != nil {
		return raw
	}
	var prefix string
	switch string(bytes.TrimSpace(obj.get("type"))) {
	case `"message"`:
		prefix = "msg_"
	case `"function_call"`:
		prefix = "fc_"
	default:
		return raw
	}
	id := itemid.Make(prefix, k.response, index)
	if old, ok := jsonscan.Unquote(obj.get("id")); ok && old != "" {
		k.renamed[old] = id
	}
	quoted, _ := json.Marshal(id)
	obj.setString("id", quoted)
	return obj.encode()
}

// output is an answer's output array with its items' gateway ids.
func (k *keptItems) output(raw []byte) []byte {
	items, ok := jsonscan.Elements(raw)
	if !ok || len(items) == 0 {
		return raw
	}
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		out[i] = k.item(it, i)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return raw
	}
	return b
}

// event renames the item a stream event names: its item at output_index
// (response.output_item.added and .done) and its item_id (deltas,
// content parts, function call arguments).
func (k *keptItems) event(obj map[string]json.RawMessage) {
	if raw, ok := obj["item"]; ok {
		var index int
		if json.Unmarshal(obj["output_index"], &index) == nil {
			obj["item"] = k.item(raw, index)
		}
	}
	if old, ok := jsonscan.Unquote(obj["item_id"]); ok {
		if id, ok := k.renamed[old]; ok {
			obj["item_id"], _ = json.Marshal(id)
		}
	}
}
