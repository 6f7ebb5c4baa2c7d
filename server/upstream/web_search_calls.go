package upstream

import (
	"bytes"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

var webSearchCallType = []byte(`"web_search_call"`)

// webSearchCalls counts the web_search_call items of a Responses answer's
// output: OpenAI bills each search its web_search (or
// web_search_preview) tool runs, beside the tokens, and its usage has no
// count of them. An output without the item type in it, nearly every
// answer, costs one byte search; only one that has it is scanned, item by
// item, and no item is decoded.
func webSearchCalls(output []byte) int {
	if !bytes.Contains(output, webSearchCallType) {
		return 0
	}
	items, ok := jsonscan.Elements(output)
	if !ok {
		return 0
	}
	n := 0
	for _, item := range items {
		if obj, ok := jsonscan.ParseObject(item); ok && bytes.Equal(obj.Get("type"), webSearchCallType) {
			n++
		}
	}
	return n
}
