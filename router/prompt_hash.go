package router

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// HashPrompt is the decision log's prompt_hash of the routed text. With a
// key (the operator's MODELROUTER_PROMPT_HASH_KEY) it is HMAC-SHA256 under
// it, so someone who reads the log cannot confirm a guessed prompt ("hi",
// a template with a customer's name) by hashing it; without one it is the
// plain SHA-256 that logs written before the key existed hold, so their
// identical prompts still share a hash.
//
// The empty text is EmptyPromptHash under any key: it says the call had
// nothing for the router model to read (an image alone), which
// export-feedback must tell from a prompt not kept without being given
// the key, and which a keyed hash would not hide (it would be the log's
// most frequent value).
func HashPrompt(key []byte, text string) string {
	if len(key) == 0 || text == "" {
		sum := sha256.Sum256([]byte(text))
		return hex.EncodeToString(sum[:])
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(text))
	return hex.EncodeToString(mac.Sum(nil))
}

// EmptyPromptHash is the prompt_hash of a call with no text to route: the
// SHA-256 of "", with or without a key.
var EmptyPromptHash = HashPrompt(nil, "")
