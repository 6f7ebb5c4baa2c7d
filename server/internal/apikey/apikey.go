// Package apikey reads the key a request sends, in any of the headers the
// gateway takes keys from, so the key check and the count of wrong admin
// keys read the same one.
package apikey

import (
	"crypto/sha256"
	"crypto/subtle"
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

// Same reports whether got is the operator's key key (the admin key, the
// metrics key), surrounding whitespace ignored on either side; an empty
// key admits no one. It compares their SHA-256 digests:
// ConstantTimeCompare returns at once on slices of different lengths, so
// comparing the keys themselves would let replies' timing tell the key's
// length.
func Same(got, key string) bool {
	got, key = strings.TrimSpace(got), strings.TrimSpace(key)
	if got == "" || key == "" {
		return false
	}
	g, k := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(key))
	return subtle.ConstantTimeCompare(g[:], k[:]) == 1
}
