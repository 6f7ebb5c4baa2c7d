package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client's string that names nothing (a model no deployment can be, an
// unknown routing_config key, an id longer than any answer's) is refused
// without being repeated at the length it came: quoted, a megabyte of
// bytes that are not UTF-8 came back as three, and the gateway built the
// error several times over. Such bytes are now refused first (the body is
// not UTF-8), so the string is a megabyte of valid text.
func TestRefusalsDoNotRepeatAClientStringAtAnyLength(t *testing.T) {
	junk := strings.Repeat("\u00e9", 1<<19)
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = `"k` + strconv.Itoa(i) + `":1`
	}
	many := strings.Join(keys, ",")
	tests := []struct {
		name, path, body string
		status           int
		param            string
	}{
		{"count_tokens model", "/v1/messages/count_tokens",
			`{"model":"` + junk + `","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, http.StatusNotFound, "model"},
		{"routing_config key", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"` + junk + `":1}}`, http.StatusBadRequest, "routing_config"},
		{"routing_config keys", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{` + many + `}}`, http.StatusBadRequest, "routing_config"},
		{"routing_config mode", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"` + junk + `"}}`, http.StatusBadRequest, "routing_config.mode"},
		{"routing_config model", "/v1/chat/completions",
			`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini","` + junk + `"]}}`, http.StatusBadRequest, "routing_config.models"},
		{"previous_response_id", "/v1/responses",
			`{"model":"model-router","input":"hi","previous_response_id":"resp_` + junk + `"}`, http.StatusBadRequest, "previous_response_id"},
		{"thread type", "/v1/messages",
			`{"model":"model-router","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"thread":{"type":"` + junk + `"}}`, http.StatusBadRequest, "thread.type"},
		{"thread previous_message_id", "/v1/messages",
			`{"model":"model-router","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"thread":{"type":"continue","previous_message_id":"msg_` + junk + `"}}`, http.StatusBadRequest, "thread.previous_message_id"},
	}
	s, _, _ := newTestServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s.Handler(), http.MethodPost, tt.path, tt.body)
			require.Equal(t, tt.status, w.Code)
			assert.LessOrEqual(t, w.Body.Len(), 2048, "the %d-byte answer repeats the client's string", w.Body.Len())
			if !strings.HasPrefix(tt.path, "/v1/messages") {
				param := errorOf(t, w.Body.Bytes()).Error.Param
				require.NotNil(t, param)
				assert.Equal(t, tt.param, *param)
			}
		})
	}
}
