package upstream_test

// Servers of one's own answer errors in shapes other than OpenAI's
// {"error": {...}}: SGLang (and vLLM before it nested the error) send the
// error's members at the top, {"object": "error", "message": ..., "type":
// ..., "param": ..., "code": 400}; Hugging Face TGI sends {"error": "...",
// "error_type": "..."}; FastAPI's own errors are {"detail": "..."}. Their
// message is read as an OpenAI error's would be: it decides whose fault a
// 404 is, and the client gets it in its API's shape.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestAClientErrorInAServersOwnShapeReachesTheClientWithItsMessage(t *testing.T) {
	for _, tc := range []struct {
		name, body, message, typ string
		status                   int
	}{
		{"SGLang", `{"object":"error","message":"Tool choice 'required' needs at least one tool.","type":"BadRequestError","param":null,"code":400}`,
			"Tool choice 'required' needs at least one tool.", "BadRequestError", http.StatusBadRequest},
		{"TGI", `{"error":"Input validation error: ` + "`temperature`" + ` must be strictly positive","error_type":"validation"}`,
			"Input validation error: `temperature` must be strictly positive", "validation", http.StatusUnprocessableEntity},
		{"FastAPI", `{"detail":"Method Not Allowed"}`, "Method Not Allowed", "", http.StatusBadRequest},
	} {
		t.Run(tc.name+" to a Chat Completions client", func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(tc.status, "application/json", tc.body))
			out, rec := m.call(t, upstream.APIChatCompletions, false)
			assert.Equal(t, tc.status, out.Status)
			var got struct {
				Error struct {
					Message string `json:"message"`
					Type    string `json:"type"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), rec.Body.String())
			assert.Equal(t, tc.message, got.Error.Message)
			if tc.typ != "" {
				assert.Equal(t, tc.typ, got.Error.Type)
			}
		})
		t.Run(tc.name+" to a Messages client", func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(tc.status, "application/json", tc.body))
			out, rec := m.call(t, upstream.APIMessages, false)
			assert.Equal(t, tc.status, out.Status)
			var got struct {
				Type  string `json:"type"`
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), rec.Body.String())
			assert.Equal(t, "error", got.Type)
			assert.Equal(t, tc.message, got.Error.Message)
		})
	}
}

// SGLang's (and vLLM's) Responses API answers a previous_response_id it
// does not have with 404 "Response with id '...' not found.": the client's
// id, which no other model knows either.
func TestA404AboutAClientsIDInSGLangsShapeReachesTheClient(t *testing.T) {
	body := `{"object":"error","message":"Response with id 'resp_abc' not found.","type":"invalid_request_error","param":null,"code":404}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json", body))
	out, rec := m.call(t, upstream.APIResponses, false)
	assert.Equal(t, http.StatusNotFound, out.Status, "%+v", out.Attempts)
	assert.Contains(t, rec.Body.String(), "Response with id 'resp_abc' not found.")
	assert.Len(t, out.Attempts, 1, "no other model is asked")
}

// The same 404 given as a bare string (TGI's and LM Studio's shape) or as
// FastAPI's detail names the client's id too: it is no missing Responses
// API, and no other model is asked.
func TestA404AboutAClientsIDAsAStringErrorReachesTheClient(t *testing.T) {
	for _, body := range []string{
		`{"error":"Response with id 'resp_abc' not found.","error_type":"not_found"}`,
		`{"detail":"Response with id 'resp_abc' not found."}`,
	} {
		m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json", body))
		out, rec := m.call(t, upstream.APIResponses, false)
		assert.Equal(t, http.StatusNotFound, out.Status, "%s: %+v", body, out.Attempts)
		assert.Contains(t, rec.Body.String(), "Response with id 'resp_abc' not found.", body)
		assert.Len(t, out.Attempts, 1, "%s: no other model is asked", body)
	}
}

func TestAnUnknownModel404InSGLangsShapeFailsOver(t *testing.T) {
	body := `{"object":"error","message":"The model ` + "`broken`" + ` does not exist.","type":"NotFoundError","param":null,"code":404}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json", body))
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, m.good.ID, out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
	require.Len(t, out.Attempts, 2)
	assert.Contains(t, out.Attempts[0].Error, "does not exist", "the operator reads the provider's message")
}
