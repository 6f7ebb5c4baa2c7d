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
	if k, ok := Bearer(h); ok {
		return k
	}
	if k := strings.TrimSpace(h.Get("api-key")); k != "" {
		return k
	}
	return strings.TrimSpace(h.Get("x-api-key"))
}

// Bearer is the token of "Authorization: Bearer <token>", trimmed, and
// whether the header names that scheme. The scheme is read in any case
// ("bearer", "BEARER"), as HTTP's authentication schemes are
// case-insensitive (RFC 9110, 11.1).
func Bearer(h http.Header) (string, bool) {
	const scheme = "Bearer "
	a := h.Get("Authorization")
	if len(a) < len(scheme) || !strings.EqualFold(a[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(a[len(scheme):]), true
}
