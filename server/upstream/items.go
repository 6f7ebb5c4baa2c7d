package upstream

import (
	"slices"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// The ids are read with jsonscan, which skips over what it does not need:
// an answer's output is most of its bytes (a long message, a file's
// worth of tool call arguments), and every Responses answer and stream
// item is read for its id.

// itemID is the id of a Responses item ("" when it has none).
func itemID(raw []byte) string {
	obj, ok := jsonscan.ParseObject(raw)
	if !ok {
		return ""
	}
	id, _ := jsonscan.Unquote(obj.Get("id"))
	return id
}

// itemIDs reads the ids of the items a Responses JSON answer gives the
// client: a response object's output items, or a list's (input_items)
// items, each once.
func itemIDs(raw []byte) []string {
	obj, ok := jsonscan.ParseObject(raw)
	if !ok {
		return nil
	}
	var ids []string
	for _, member := range []string{"output", "data"} {
		items, _ := jsonscan.Elements(obj.Get(member))
		for _, it := range items {
			if id := itemID(it); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// unstored reports a response object's "store" member (raw as sent) that
// says the provider kept nothing of the answer: a call's store: false, and
// a server that keeps no answers whatever the call asked (Ollama's says
// false on every answer). Such an
// answer's item ids name nothing anyone could read, and Ollama's repeat
// ("msg_" and a random number below 999,999, ollama/ollama
// middleware/openai.go), so they are given to no key (Outcome.ItemIDs).
func unstored(store []byte) bool { return string(store) == "false" }
