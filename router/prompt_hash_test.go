package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Without a key prompt_hash stays the plain SHA-256 older logs hold, so
// their identical prompts still group with new ones (FIPS 180-2's "abc").
func TestHashPromptWithoutAKeyIsThePlainSHA256(t *testing.T) {
	assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HashPrompt(nil, "abc"))
	assert.Equal(t, HashPrompt(nil, "abc"), HashPrompt([]byte{}, "abc"), "an empty key is no key")
}

// With a key it is HMAC-SHA256 (RFC 4231, test case 2): the same text
// under the same key groups, under another key it does not, and no one
// without the key can confirm a guess from the plain SHA-256.
func TestHashPromptWithAKeyIsHMACSHA256(t *testing.T) {
	key := []byte("Jefe")
	text := "what do ya want for nothing?"
	assert.Equal(t, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", HashPrompt(key, text))
	assert.Equal(t, HashPrompt(key, text), HashPrompt([]byte("Jefe"), text), "same text, same key: same hash")
	assert.NotEqual(t, HashPrompt(key, text), HashPrompt([]byte("Jeff"), text), "another key: another hash")
	assert.NotEqual(t, HashPrompt(nil, text), HashPrompt(key, text), "the keyed hash is not the plain one")
	assert.NotEqual(t, HashPrompt(key, "hi"), HashPrompt(key, "hi "), "different texts differ")
}

// A call with no text to route has the same hash under every key, so the
// log says so to export-feedback, which is not given the key.
func TestHashPromptOfTheEmptyTextIsTheSameUnderEveryKey(t *testing.T) {
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", EmptyPromptHash)
	assert.Equal(t, EmptyPromptHash, HashPrompt([]byte("Jefe"), ""))
	assert.Equal(t, EmptyPromptHash, HashPrompt(nil, ""))
}
