package main

import (
	"fmt"
	"strings"
)

// EnvPromptHashKey holds the key that makes the decision log's prompt_hash
// HMAC-SHA256 of the routed text rather than its plain SHA-256 (which
// anyone reading the log can check a guessed prompt against). As the admin
// key, it comes from the environment or the config file (prompt_hash_key,
// where ${VAR} names a variable), never a flag a process list would show.
const EnvPromptHashKey = "MODELROUTER_PROMPT_HASH_KEY"

// minPromptHashKeyBytes: a key that can be guessed is no key, since the
// log can be tried against guesses offline, with no limit on their number
// (the admin key, guessed online, is held back by authlimit instead).
const minPromptHashKeyBytes = 16

// resolvedPromptHashKey is MODELROUTER_PROMPT_HASH_KEY when set, else the
// file's prompt_hash_key, without surrounding whitespace (a secret file's
// trailing newline), and the name of the setting it came from (its
// VAR_FILE when read from one), for messages, which never show the key.
func (o *serveOptions) resolvedPromptHashKey() (key, from string) {
	if k := strings.TrimSpace(envMap(o.environ)[EnvPromptHashKey]); k != "" {
		if f := o.keyFiles[EnvPromptHashKey]; f != "" {
			return k, f
		}
		return k, EnvPromptHashKey
	}
	return strings.TrimSpace(string(o.promptHashKey)), "prompt_hash_key"
}

// promptHashKeyProblem says what is wrong with the key, if anything,
// naming its setting and its length only.
func (o *serveOptions) promptHashKeyProblem() string {
	key, from := o.resolvedPromptHashKey()
	if key != "" && len(key) < minPromptHashKeyBytes {
		return fmt.Sprintf("%s: %d bytes, want at least %d (a random key, e.g. from `openssl rand -hex 32`): the log can be checked against guesses at a short key offline",
			from, len(key), minPromptHashKeyBytes)
	}
	return ""
}

// promptHashKind is what the startup line says prompt_hash is.
func promptHashKind(key string) string {
	if key == "" {
		return "sha256"
	}
	return "hmac-sha256"
}
