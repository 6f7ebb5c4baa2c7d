package upstream

import (
	"bytes"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

var webSearchCallType = []byte(`"web_search_call"`)

// webSearchCalls counts the web_search_call items of a Responses answer's
// output: OpenAI bills each search its web_search (or
// web_search_preview) tool runs, beside the tokens, and its usage has no
// count of them. The items are walked in place with jsonscan, which skips
// a string's text with IndexByte to its closing quote, and only their
// type is compared: nothing is decoded and nothing is allocated per item
// (an answer can hold hundreds). That is faster than looking for the
// type's name in the output first (6 µs against 90 µs for a 216 KB
// answer of English text, measured here: bytes.Index stops at every
// letter w). An output that is not an array counts nothing.
func webSearchCalls(output []byte) int {
	n := 0
	if !eachItemType(output, func(typ []byte) {
		if bytes.Equal(typ, webSearchCallType) {
			n++
		}
	}) {
		return 0
	}
	return n
}

var (
	webSearchToolType = []byte(`"web_search`)
	previewSearchTool = []byte(`"web_search_preview`)
)

// searchedByPreview reports whether a Responses answer's web searches
// came from OpenAI's web_search_preview tool, which it bills apart for
// some models (router.Model.WebSearchPreviewPer1K): the tools the answer
// echoes from its call offer a web_search_preview (or a dated one) and no
// web_search. A web_search_call item does not say which tool ran it, so
// an answer offered both, or one that echoes no tools, is priced at
// web_search's.
func searchedByPreview(tools []byte) bool {
	preview, other := false, false
	whole := eachItemType(tools, func(typ []byte) {
		switch {
		case bytes.HasPrefix(typ, previewSearchTool):
			preview = true
		case bytes.HasPrefix(typ, webSearchToolType):
			other = true
		}
	})
	return whole && preview && !other
}

// withSearches adds to u the web searches of a Responses answer's output
// and whether its tools say they came from web_search_preview.
func withSearches(u router.Usage, output, tools []byte) router.Usage {
	if n := webSearchCalls(output); n > 0 {
		u.WebSearches += n
		u.WebSearchPreview = searchedByPreview(tools)
	}
	return u
}

// eachItemType calls f with the type of each item of a JSON array, as its
// JSON text (nil for an item without one), and reports whether array is
// one. The items are walked in place with jsonscan: nothing is decoded or
// allocated per item.
func eachItemType(array []byte, f func(typ []byte)) bool {
	i := jsonscan.Space(array, 0)
	if i >= len(array) || array[i] != '[' {
		return false
	}
	if i = jsonscan.Space(array, i+1); i < len(array) && array[i] == ']' {
		return true
	}
	for i < len(array) {
		end := jsonscan.Value(array, i)
		if end == i {
			return false
		}
		f(itemType(array[i:end]))
		i = jsonscan.Space(array, end)
		if i >= len(array) {
			return false
		}
		switch array[i] {
		case ']':
			return true
		case ',':
			i = jsonscan.Space(array, i+1)
		default:
			return false
		}
	}
	return false
}

// itemType is jsonscan.ParseObject(item).Get("type") without building
// the member list: the last member named type, nil when item is not an
// object.
func itemType(item []byte) []byte {
	i := jsonscan.Space(item, 0)
	if i >= len(item) || item[i] != '{' {
		return nil
	}
	if i = jsonscan.Space(item, i+1); i < len(item) && item[i] == '}' {
		return nil
	}
	var typ []byte
	for i < len(item) && item[i] == '"' {
		keyEnd := jsonscan.String(item, i)
		if keyEnd >= len(item) {
			return nil
		}
		key := item[i : keyEnd+1]
		i = jsonscan.Space(item, keyEnd+1)
		if i >= len(item) || item[i] != ':' {
			return nil
		}
		start := jsonscan.Space(item, i+1)
		end := jsonscan.Value(item, start)
		if end == start {
			return nil
		}
		if namesType(key) {
			typ = item[start:end]
		}
		i = jsonscan.Space(item, end)
		if i >= len(item) {
			return nil
		}
		switch item[i] {
		case '}':
			return typ
		case ',':
			i = jsonscan.Space(item, i+1)
		default:
			return nil
		}
	}
	return nil
}

// namesType reports whether the quoted key reads "type", an escaped
// spelling too, matched exactly as Object.Get matches it (isTypeKey folds
// case, as encoding/json does for a struct field).
func namesType(key []byte) bool {
	if string(key) == `"type"` {
		return true
	}
	if bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	s, ok := jsonscan.Unquote(key)
	return ok && s == "type"
}
