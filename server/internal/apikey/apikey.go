// Package apikey reads the key a request sends, in any of the headers the
// gateway takes keys from, so the key check and the count of wrong admin
// keys read the same one.
package apikey

import (
	"net/http"
	"strings"
)

// FromHeaders is the key in "Authorization: Bearer <key>" (OpenAI), else
// "api-key: <key>" (Azure), else "x-api-key: <key>" (Anthropic), trimmed;
// "" for none.
func FromHeaders(h http.Header) string {
	if a := h.Get("Authorization"); a != "" {
		if k, ok := strings.CutPrefix(a, "Bearer "); ok {
			return strings.TrimSpace(k)
		}
	}
	if k := strings.TrimSpace(h.Get("api-key")); k != "" {
		return k
	}
	return strings.TrimSpace(h.Get("x-api-key"))
}
