package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// utf8Route is an API path and the bodies it takes, each with "@" where
// the bytes under test go: in a message's text, in a tool call's
// arguments (a tool_use's input on the Messages API) and in a key.
type utf8Route struct {
	path           string
	text, arg, key string
	// proxied calls reach a provider and are logged; dry runs and
	// count_tokens do neither.
	proxied bool
}

func utf8Routes() []utf8Route {
	chat := utf8Route{
		text: `{"model":"model-router","messages":[{"role":"user","content":"hi @"}]}`,
		arg: `{"model":"model-router","messages":[{"role":"user","content":"hi"},` +
			`{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"@\"}"}}]},` +
			`{"role":"tool","tool_call_id":"c1","content":"ok"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`,
		key: `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"metadata":{"k@":"v"}}`,
	}
	responses := utf8Route{
		text: `{"model":"model-router","input":"hi @"}`,
		arg: `{"model":"model-router","input":[{"type":"message","role":"user","content":"hi"},` +
			`{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"q\":\"@\"}"},` +
			`{"type":"function_call_output","call_id":"c1","output":"ok"}],"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]}`,
		key: `{"model":"model-router","input":"hi","metadata":{"k@":"v"}}`,
	}
	messages := utf8Route{
		text: `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi @"}]}`,
		arg: `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"},` +
			`{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{"q":"@"}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}`,
		key: `{"model":"model-router","max_tokens":16,"messages":[{"role":"user","content":"hi"},` +
			`{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{"k@":"v"}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}`,
	}
	at := func(r utf8Route, path string, proxied bool) utf8Route {
		r.path, r.proxied = path, proxied
		return r
	}
	return []utf8Route{
		at(chat, "/v1/chat/completions", true),
		at(chat, "/openai/deployments/model-router/chat/completions?api-version=2024-10-21", true),
		at(chat, "/v1/route", false),
		at(responses, "/v1/responses", true),
		at(responses, "/v1/route/responses", false),
		at(messages, "/v1/messages", true),
		at(messages, "/anthropic/v1/messages", true),
		at(messages, "/v1/messages/count_tokens", false),
		at(messages, "/v1/route/messages", false),
	}
}

// postBodyAsIs posts body as it is, with the e2e key in both APIs' headers
// and header's name-value pairs set too.
func postBodyAsIs(t *testing.T, e *e2e, path, body string, header ...string) (int, []byte) {
	t.Helper()
	h := http.Header{}
	h.Set("api-key", e2eKey)
	h.Set("x-api-key", e2eKey)
	h.Set("anthropic-version", "2023-06-01")
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	status, _, raw := requestAs(t, e, http.MethodPost, path, e2eKey, body, h)
	return status, raw
}

// TestARequestBodyThatIsNotUTF8IsRefusedBeforeRouting: JSON exchanged
// between systems is UTF-8 (RFC 8259 §8.1). A body with invalid bytes in a
// string was routed (its strings read as U+FFFD) and then refused by
// OpenAI, taken as U+FFFD by Claude's translation: the same call
// succeeded or failed with the model chosen. Now it is refused on every
// API, as a malformed JSON body is, before any provider is asked.
func TestARequestBodyThatIsNotUTF8IsRefusedBeforeRouting(t *testing.T) {
	bad := map[string]string{
		"invalid byte":                 "ab\xffcd",
		"lone surrogate written raw":   "\xed\xa0\x80",
		"overlong encoding":            "\xc0\xaf",
		"truncated at a string's end":  "ok \xe2\x82",
		"continuation byte on its own": "\x80",
		"four-byte lead past U+10FFFF": "\xf5\x80\x80\x80",
		"latin-1 e-acute (not UTF-8)":  "caf\xe9",
		"valid text then a bad byte":   "😀 中文 \xfe",
	}
	e := newE2E(t)
	for _, r := range utf8Routes() {
		// A malformed JSON body on the same path shows the shape every
		// refusal of a body takes there.
		wantStatus, malformed := postBodyAsIs(t, e, r.path, `{"model":`)
		require.Equal(t, http.StatusBadRequest, wantStatus, "%s: %s", r.path, malformed)
		var want errorShape
		require.NoError(t, json.Unmarshal(malformed, &want))
		for where, template := range map[string]string{"text": r.text, "tool argument": r.arg, "key": r.key} {
			for name, b := range bad {
				body := strings.Replace(template, "@", b, 1)
				first := strings.Index(template, "@") + strings.IndexFunc(b, func(r rune) bool { return r == '\uFFFD' })
				gzip := name == "invalid byte"
				t.Run(fmt.Sprintf("%s/%s/%s", r.path, where, name), func(t *testing.T) {
					logged := len(e.log.all())
					var status int
					var out []byte
					if gzip {
						status, out = postBodyAsIs(t, e, r.path, gzipped(t, body), "Content-Encoding", "gzip")
					} else {
						status, out = postBodyAsIs(t, e, r.path, body)
					}
					require.Equal(t, http.StatusBadRequest, status, "%s", out)
					var got errorShape
					require.NoError(t, json.Unmarshal(out, &got), "%s", out)
					assert.Equal(t, want.Type, got.Type, "the API's own shape, as for malformed JSON: %s", out)
					assert.Equal(t, want.Error.Type, got.Error.Type, "%s", out)
					assert.Equal(t, want.Error.Code, got.Error.Code, "%s", out)
					assert.Equal(t, fmt.Sprintf("the request body is not valid UTF-8 (byte %d)", first+1), got.Error.Message)
					assert.Empty(t, e.openai.Requests(), "no provider is asked")
					assert.Empty(t, e.anthropic.Requests(), "no provider is asked")
					if r.proxied {
						recs := e.log.waitFor(t, logged+1)
						assert.Equal(t, http.StatusBadRequest, recs[len(recs)-1].Status, "logged as a malformed body is")
						assert.Equal(t, "invalid", recs[len(recs)-1].ErrorCode)
					}
				})
			}
		}
	}
}

// TestValidMultiByteTextInABodyStillPasses: emoji, CJK and an escaped
// surrogate pair are UTF-8 (or ASCII) as written and reach a provider.
func TestValidMultiByteTextInABodyStillPasses(t *testing.T) {
	good := map[string]string{
		"emoji":               "😀",
		"CJK":                 "中文テキスト",
		"escaped pair":        `\\ud83d\\ude00`,
		"two-byte and 3-byte": "é € ™",
		"four-byte max":       "\U0010FFFF",
	}
	e := newE2E(t)
	for _, r := range utf8Routes() {
		for where, template := range map[string]string{"text": r.text, "tool argument": r.arg, "key": r.key} {
			for name, s := range good {
				if where != "tool argument" || strings.Contains(r.path, "messages") {
					// Only a Chat or Responses tool call's arguments are
					// JSON within a string, escaped twice.
					s = strings.ReplaceAll(s, `\\`, `\`)
				}
				body := strings.Replace(template, "@", s, 1)
				require.True(t, json.Valid([]byte(body)), "%s %s: %s", r.path, where, body)
				t.Run(fmt.Sprintf("%s/%s/%s", r.path, where, name), func(t *testing.T) {
					status, out := postBodyAsIs(t, e, r.path, body)
					assert.Equal(t, http.StatusOK, status, "%s", out)
				})
			}
		}
	}
}

// TestABodyOpeningWithAByteOrderMarkIsStillMalformedJSON: a UTF-8 byte
// order mark is valid UTF-8 but no JSON (RFC 8259 §8.1: it must not be
// added), refused as before, on every API, with encoding/json's words.
func TestABodyOpeningWithAByteOrderMarkIsStillMalformedJSON(t *testing.T) {
	e := newE2E(t)
	for _, r := range utf8Routes() {
		t.Run(r.path, func(t *testing.T) {
			status, out := postBodyAsIs(t, e, r.path, "\xef\xbb\xbf"+r.text)
			require.Equal(t, http.StatusBadRequest, status, "%s", out)
			var got errorShape
			require.NoError(t, json.Unmarshal(out, &got), "%s", out)
			assert.Equal(t, "the request body is not a JSON object: invalid character 'ï' looking for beginning of value (at byte 1)", got.Error.Message)
		})
	}
	assert.Empty(t, e.openai.Requests())
	assert.Empty(t, e.anthropic.Requests())
}
