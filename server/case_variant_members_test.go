package server

// A top-level member named as one the API knows in another case ("SYSTEM",
// "Max_Tokens", "Tools") is refused before routing: routing reads members
// by their exact names, a translation decodes with encoding/json, which
// takes any case and the later of two, so such a body would be routed on
// one value and forwarded with the other.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestATopLevelMemberInAnotherCaseIsRefusedBeforeRouting(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"Hello"}]`
	for name, tt := range map[string]struct{ path, body, member, known string }{
		"chat Max_Tokens": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["claude"]},` + msgs + `,"max_tokens":5,"Max_Tokens":9000}`,
			"Max_Tokens", "max_tokens"},
		"responses INSTRUCTIONS": {"/v1/responses",
			`{"model":"model-router","routing_config":{"models":["claude"]},"input":"Hello","INSTRUCTIONS":"forwarded"}`,
			"INSTRUCTIONS", "instructions"},
		"messages SYSTEM": {"/v1/messages",
			`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,` + msgs + `,"system":"routed","SYSTEM":"forwarded"}`,
			"SYSTEM", "system"},
		"messages Tools": {"/v1/messages",
			`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,` + msgs + `,"tools":[],
			"Tools":[{"name":"evil","input_schema":{"type":"object"}}]}`,
			"Tools", "tools"},
		"messages Max_Tokens": {"/v1/messages",
			`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,` + msgs + `,"Max_Tokens":9000}`,
			"Max_Tokens", "max_tokens"},
		// encoding/json folds the long s (U+017F) to s, as strings.EqualFold does.
		"messages escaped long s": {"/v1/messages",
			`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,` + msgs + `,"\u017Fystem":"forwarded"}`,
			"\u017Fystem", "system"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			var werr wireError
			require.NoError(t, json.Unmarshal(body, &werr), "%s", body)
			assert.Equal(t, "invalid_request_error", werr.Error.Type, "%s", body)
			assert.Contains(t, werr.Error.Message, `unknown member "`+tt.member+`" (did you mean "`+tt.known+`"?)`)
			if tt.path == "/v1/messages" {
				// Anthropic's shape, which has no param: the message names it.
				assert.Equal(t, "error", errorShapeOf(t, body).Type, "%s", body)
			} else {
				require.NotNil(t, werr.Error.Param, "%s", body)
				assert.Equal(t, tt.member, *werr.Error.Param)
			}
			assert.Empty(t, e.openai.Requests())
			assert.Empty(t, e.anthropic.Requests())
		})
	}
}

// A member named exactly twice is read as before: routing and the
// translation both take the later one.
func TestATopLevelMemberNamedTwiceExactlyStillTakesTheLater(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/messages",
		`{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":5,"max_tokens":9,
		"messages":[{"role":"user","content":"Hello"}]}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	reqs := e.openai.Requests()
	require.Len(t, reqs, 1)
	var sent map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	limit := sent["max_completion_tokens"]
	if limit == nil {
		limit = sent["max_tokens"]
	}
	assert.JSONEq(t, "9", string(limit), "%s", reqs[0].Body)
}
