package upstream

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// redact removes every configured key from s.
func (f *Forwarder) redact(s string) string { return f.Providers.redact(s) }

// redact removes every configured key from s, whole or in the masked form
// OpenAI echoes in a 401 ("sk-proj-****…wxyz": the key's first characters,
// asterisks, its last four), which would show every client of the 502 the
// ends of the gateway's key.
func (ps Providers) redact(s string) string {
	keys := make([]string, 0, len(ps.ByName)+1)
	for _, p := range ps.ByName {
		keys = append(keys, p.secrets()...)
	}
	if ps.Default != nil {
		keys = append(keys, ps.Default.secrets()...)
	}
	for _, k := range keys {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
		if len(k) >= minMaskedKey && strings.Contains(s, "****") {
			s = redactMasked(s, k)
		}
	}
	return s
}

// minMaskedKey is the shortest key whose masked echo is looked for: its
// shown ends (3 characters or more, and 4) must leave some of it hidden.
const minMaskedKey = 12

// redactMasked replaces each masked echo of key in s: a run of at least
// four asterisks, right after 3 or more of the key's first characters and
// right before its last four.
func redactMasked(s, key string) string {
	last := key[len(key)-4:]
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == '*' {
			j++
		}
		if j == i {
			i++
			continue
		}
		start := i
		for start > done && keyChar(s[start-1]) {
			start--
		}
		shown := s[start:i]
		if j-i >= 4 && len(shown) >= 3 && len(shown) < len(key)-4 && strings.HasPrefix(key, shown) &&
			strings.HasPrefix(s[j:], last) && (j+4 == len(s) || !keyChar(s[j+4])) {
			b.WriteString(s[done:start])
			b.WriteString("[redacted]")
			done = j + 4
		}
		i = max(j, done)
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// keyChar reports whether c can be part of an API key (letters, digits,
// '-' and '_', as in OpenAI's, Anthropic's and most others').
func keyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// secrets are what p sends that only its server may see: its key and, for a
// base URL with userinfo, its secret (the password of https://user:pass@host,
// the user of https://sk-TOKEN@host: userIsAName) and the basic auth
// credential Go's client sends from it, which a server echoing its
// Authorization header shows.
func (p Provider) secrets() []string {
	out := []string{p.APIKey}
	u, err := url.Parse(p.BaseURL)
	if err != nil || u.User == nil {
		return out
	}
	user := u.User.Username()
	password, _ := u.User.Password()
	secret := password
	if !userIsAName(u.User) {
		secret = user
	}
	return append(out, secret, base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
}
