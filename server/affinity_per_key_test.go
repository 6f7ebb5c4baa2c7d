package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With keys required, one key's session is not another's: key B's
// answered calls pin its session to nano, and key A, sending the same
// x-session-id (or the same `user` and opening messages), is routed by the
// mode (mini, Balanced's pick), not by B's pin.
func TestSessionAffinityIsPerClientKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header []string
		body   string // a chat body with %s where the narrowing goes
		narrow string // routing_config's models: nano alone
	}{
		{"x-session-id", []string{"x-session-id", "shared"},
			`{"model":"model-router","messages":[{"role":"user","content":"What is the capital of France?"}]%s}`,
			`,"routing_config":{"models":["nano"]}`},
		{"user and opening", nil,
			`{"model":"model-router","user":"shared","messages":[{"role":"user","content":"What is the capital of France?"}],"routing_config":{"session_affinity":true%s}}`,
			`,"models":["nano"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.Keys = keyStore{"key-a": true, "key-b": true} })
			call := func(key, narrow string) string {
				t.Helper()
				req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions",
					strings.NewReader(strings.Replace(tc.body, "%s", narrow, 1)))
				require.NoError(t, err)
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				for i := 0; i+1 < len(tc.header); i += 2 {
					req.Header.Set(tc.header[i], tc.header[i+1])
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				raw, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
				var out struct {
					Model string `json:"model"`
				}
				require.NoError(t, json.Unmarshal(raw, &out), string(raw))
				return out.Model
			}
			// B's conversation is answered by nano, and its next turn,
			// free to go anywhere, stays there: real calls pin it.
			require.Equal(t, "nano", call("key-b", tc.narrow))
			require.Equal(t, "nano", call("key-b", ""), "the test needs key B's session pinned to nano")

			// A's conversation with the same id is its own.
			assert.Equal(t, "mini", call("key-a", ""), "key B's session decided key A's model")
			assert.Len(t, e.openai.RequestsFor("mini"), 1, "key A's call reached mini")
			for _, r := range e.log.waitFor(t, 3) {
				if r.KeyID == "id-key-a" {
					assert.False(t, r.Decision.Affinity, "key A's first call claims session affinity")
				}
			}
		})
	}
}
