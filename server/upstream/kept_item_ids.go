package upstream

import (
	"bytes"
	"encoding/json"
	"strconv"

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
	// renamed maps the server's name for each renamed item (its id, or a
	// function call's call_id when it has none) to the gateway's id, for
	// a stream's events that name the item by item_id alone.
	renamed map[string]string
	// places maps the server's name for each item a stream's events
	// carried to its place in the output: the event's output_index, or
	// where none is (llama.cpp's events have none) the order the items
	// came in, which is their order in the answer's output.
	places map[string]int
}

func newKeptItems(response string) *keptItems {
	return &keptItems{response: response, renamed: map[string]string{}, places: map[string]int{}}
}

// serverName is how the server's events name an item: its id, or, for a
// function call without one (llama.cpp's), its call_id, which llama.cpp's
// argument deltas give as their item_id.
func serverName(obj object) string {
	if id, ok := jsonscan.Unquote(obj.get("id")); ok && id != "" {
		return id
	}
	if string(bytes.TrimSpace(obj.get("type"))) == `"function_call"` {
		if id, ok := jsonscan.Unquote(obj.get("call_id")); ok {
			return id
		}
	}
	return ""
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
	if old := serverName(obj); old != "" {
		k.renamed[old] = id
	}
	quoted, _ := json.Marshal(id)
	obj.setString("id", quoted)
	return obj.encode()
}

// output is an answer's output array with its items' gateway ids: those
// a stream's events named before keep the ids the events gave them.
func (k *keptItems) output(raw []byte) []byte {
	items, ok := jsonscan.Elements(raw)
	if !ok || len(items) == 0 {
		return raw
	}
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		index := i
		if obj, err := scanObject(it); err == nil {
			index = k.place(serverName(obj), json.RawMessage(strconv.Itoa(i)))
		}
		out[i] = k.item(it, index)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return raw
	}
	return b
}

// event renames the item a stream event names: its item (response.
// output_item.added and .done), placed by output_index or, without one,
// by the order the items came in, and its item_id (deltas, content
// parts, function call arguments).
func (k *keptItems) event(obj map[string]json.RawMessage) {
	if raw, ok := obj["item"]; ok {
		if item, err := scanObject(raw); err == nil {
			obj["item"] = k.item(raw, k.place(serverName(item), obj["output_index"]))
		}
	}
	if old, ok := jsonscan.Unquote(obj["item_id"]); ok {
		if id, ok := k.renamed[old]; ok {
			obj["item_id"], _ = json.Marshal(id)
		}
	}
}

// place is the output index of the item the server names so, read from
// an event's output_index where it has one.
func (k *keptItems) place(name string, outputIndex json.RawMessage) int {
	index, known := k.places[name]
	if name == "" || !known {
		if json.Unmarshal(outputIndex, &index) != nil {
			index = len(k.places)
		}
		if name != "" {
			k.places[name] = index
		}
	}
	return index
}
