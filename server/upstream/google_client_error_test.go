package upstream_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A 400 that Google's OpenAI-compatible endpoint sends as a list of one is
// the client's, and its SDK reads the provider's message and status in
// error.message and error.code as it does for the object form.
func TestGooglesListFormErrorReachesTheClientAsItsObjectForm(t *testing.T) {
	const object = `{"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\n","status":"INVALID_ARGUMENT"}}`
	got := map[string]map[string]any{}
	for form, body := range map[string]string{"object": object, "list": "[" + object + "]"} {
		f := newFakes(t)
		f.openai.Set("first", upstreamtest.Behavior{FailStatus: http.StatusBadRequest, FailBody: body})
		rec := httptest.NewRecorder()
		out := f.fwd.Forward(context.Background(), rec, upstream.Call{
			API: upstream.APIChatCompletions, Order: []router.Model{openAIModel("first"), openAIModel("second")},
			Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
		})
		require.Equal(t, http.StatusBadRequest, out.Status)
		var e struct {
			Error map[string]any `json:"error"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
		got[form] = e.Error
	}
	assert.Equal(t, got["object"]["message"], got["list"]["message"], "the client's SDK shows the provider's message")
	assert.Equal(t, got["object"]["code"], got["list"]["code"])
}
