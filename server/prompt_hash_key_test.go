package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// With the operator's key the log's prompt hash is HMAC-SHA256 of the
// routed text under it: the same prompt sent twice shares one hash (so the
// log still groups it), a gateway with another key logs another, and the
// plain SHA-256 a log reader could compute from a guess is not there.
func TestPromptHashIsKeyedWhenTheOperatorSetsAKey(t *testing.T) {
	body := `{"model":"model-router","messages":[{"role":"user","content":"Hello, Ada Lovelace."}]}`
	logged := func(key []byte) []router.Record {
		srv, log, _ := newTestServer(t, func(c *Config) { c.KeepPromptText, c.PromptHashKey = true, key })
		for _, path := range []string{"/v1/route", "/v1/chat/completions"} {
			w := do(srv.Handler(), http.MethodPost, path, body)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		}
		return log.waitFor(t, 2)
	}
	key := []byte("0123456789abcdef-operator-key")
	recs := logged(key)
	text := recs[0].PromptText
	require.NotEmpty(t, text)
	plain := sha256.Sum256([]byte(text))
	assert.Equal(t, router.HashPrompt(key, text), recs[0].PromptHash)
	assert.Equal(t, recs[0].PromptHash, recs[1].PromptHash, "the same prompt under the same key: one hash")
	assert.NotEqual(t, hex.EncodeToString(plain[:]), recs[0].PromptHash, "not the SHA-256 anyone can compute")

	other := logged([]byte("another-key-of-sixteen-bytes"))
	assert.NotEqual(t, recs[0].PromptHash, other[0].PromptHash, "another key: another hash")

	unkeyed := logged(nil)
	assert.Equal(t, hex.EncodeToString(plain[:]), unkeyed[0].PromptHash, "no key: the plain SHA-256, as before")
}
