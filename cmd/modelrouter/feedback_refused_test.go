package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// README (API, POST /v1/feedback): "a logged call that no model answered
// (a /v1/route decision, a call refused or failed): 400 invalid (param:
// request_id, "has no answer to rate")". A call the provider refused (its
// 400 passed through to the client) has no answer either, but its decision
// row carries answered = the refusing model, so the rating is accepted
// with a 200, and export-feedback then writes it as a label of that model:
// its score, and output_tokens 0 (the refusal's empty usage), which teaches
// add-profile that the model answers this prompt with no tokens at all.
func TestFeedbackOnAProviderRefusalIsRefused(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			fake.Set(m.UpstreamModel, upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
			fake.Set(m.Name, upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
		}
	}
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) { o.keepPrompts = true })

	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"Name a prime number."}]}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "the provider's 400 reaches the client")
	id := resp.Header.Get("x-request-id")
	require.NotEmpty(t, id)

	resp, err = http.Post(base+"/v1/feedback", "application/json",
		bytes.NewBufferString(`{"request_id":"`+id+`","score":0,"label":"error"}`))
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a refused call has no answer to rate: %v", out)
	if e, ok := out["error"].(map[string]any); assert.True(t, ok, "an error in the API's shape: %v", out) {
		assert.Equal(t, "request_id", e["param"])
		assert.Contains(t, e["message"], "no answer to rate")
	}

	stop()
	require.NoError(t, <-done)

	// Whatever the API said, the export must not turn the refusal into a
	// label of the model that refused.
	dir := filepath.Join(t.TempDir(), "traffic")
	_, _, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	if err == nil {
		d, lerr := dataset.Load(dir)
		require.NoError(t, lerr)
		for _, it := range d.Items {
			for model, r := range it.Results {
				tokens := "none"
				if r.OutputTokens != nil {
					b, _ := json.Marshal(*r.OutputTokens)
					tokens = string(b)
				}
				t.Errorf("the refused call was exported as a label of %s: score %v, output_tokens %s", model, *r.Score, tokens)
			}
		}
	}
	_ = os.RemoveAll(dir)
}
