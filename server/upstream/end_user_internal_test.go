package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// OpenAI's safety_identifier names the end user for abuse detection, as
// Anthropic's metadata.user_id does, and replaces `user` there: Claude
// gets it as its user_id on Chat Completions and Responses alike, in
// preference to a `user` sent beside it, which still goes where it is the
// only one.
func TestClaudeGetsTheSafetyIdentifierAsItsUserID(t *testing.T) {
	for _, tc := range []struct {
		name, members, want string
	}{
		{"safety_identifier", `"safety_identifier":"hash-9"`, "hash-9"},
		{"both", `"user":"u-1","safety_identifier":"hash-9"`, "hash-9"},
		{"user", `"user":"u-1"`, "u-1"},
		{"neither", `"temperature":0.5`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for api, body := range map[API]string{
				APIChatCompletions: `{"model":"r","messages":[{"role":"user","content":"hi"}],` + tc.members + `}`,
				APIResponses:       `{"model":"r","input":"hi",` + tc.members + `}`,
			} {
				var got struct {
					Metadata *struct {
						UserID string `json:"user_id"`
					} `json:"metadata"`
				}
				out := sent(t, api, carriedClaude, body)
				require.NoError(t, json.Unmarshal([]byte(out), &got))
				if tc.want == "" {
					assert.Nil(t, got.Metadata, "%s: %s", api, out)
					continue
				}
				require.NotNil(t, got.Metadata, "%s: %s", api, out)
				assert.Equal(t, tc.want, got.Metadata.UserID, "%s: %s", api, out)
			}
		})
	}
}
