// Package itemid makes and reads the ids of the output items of the
// Responses answers the gateway writes itself (Claude's, translated). Each
// id carries its response's id and the item's place in the output, so a
// client's item_reference to one leads to the kept answer that holds it
// without an index of items, and tells it apart from OpenAI's own ids.
package itemid

import (
	"strconv"
	"strings"
)

// responsePrefix starts every response id the gateway makes.
const responsePrefix = "resp_"

// prefixes are the item kinds the gateway writes: messages and function
// calls.
var prefixes = []string{"msg_", "fc_"}

// Make is the id of the output item at index of response responseID;
// prefix is the item kind's, "msg_" or "fc_", as OpenAI's ids start.
func Make(prefix, responseID string, index int) string {
	return prefix + responseID + "_" + strconv.Itoa(index)
}

// Response returns the id of the response whose output item id is, for an
// id Make made; false for any other (OpenAI's ids carry no response id).
func Response(id string) (string, bool) {
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(id, p)
		if !ok || !strings.HasPrefix(rest, responsePrefix) {
			continue
		}
		i := strings.LastIndexByte(rest, '_')
		if i <= len(responsePrefix) {
			return "", false
		}
		if _, err := strconv.ParseUint(rest[i+1:], 10, 31); err != nil {
			return "", false
		}
		return rest[:i], true
	}
	return "", false
}
