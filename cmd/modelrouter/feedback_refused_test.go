package main

import (
	"bytes"
	"database/sql"
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
)

// A call the provider refused (its 4xx passed through to the client) has
// no answer to rate, though its log row names the refusing model: the
// rating gets 400 invalid on request_id, and a rating of it that an older
// gateway accepted is not exported as a label of that model (its score,
// and 0 output tokens from the refusal's empty usage).
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

	// A rating an older gateway accepted, written straight into the log:
	// the export must not turn the refusal into a label.
	raw, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	_, err = raw.Exec(`INSERT INTO feedback (request_id, score, label, comment, ts, ts_ms) VALUES (?, 0, 'error', '', '2026-01-01T00:00:00.000000000Z', 0)`, id)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	dir := filepath.Join(t.TempDir(), "traffic")
	_, _, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.Error(t, err, "nothing to export")
	assert.ErrorContains(t, err, "0 rated answers")
	_, statErr := os.Stat(filepath.Join(dir, "items.jsonl"))
	assert.True(t, os.IsNotExist(statErr), "no dataset written")
}
