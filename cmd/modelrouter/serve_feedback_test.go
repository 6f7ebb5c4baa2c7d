package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeFeedbackRatesAnAnswer: a client answers with the x-request-id
// it got, the rating lands in the feedback table next to its decision, and
// a second rating replaces the first.
func TestServeFeedbackRatesAnAnswer(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, _, _ := startServe(t, fake, db, nil)

	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"Name a prime number."}]}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := resp.Header.Get("x-request-id")
	require.NotEmpty(t, id)

	rate := func(body string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(base+"/v1/feedback", "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	status, out := rate(`{"request_id":"` + id + `","score":0,"label":"wrong"}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	status, out = rate(`{"request_id":"` + id + `","score":1,"label":"good","comment":"2 is prime"}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	status, out = rate(`{"request_id":"no-such-request","score":1}`)
	require.Equal(t, http.StatusNotFound, status, "%v", out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "no-such-request")

	// A /v1/route call is logged, but no model answered it: there is no
	// answer to rate, and the client is told so with a 400 on request_id.
	resp, err = http.Post(base+"/v1/route", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"Name a prime number."}]}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	routeID := resp.Header.Get("x-request-id")
	require.NotEmpty(t, routeID)
	status, out = rate(`{"request_id":"` + routeID + `","score":1}`)
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	e := out["error"].(map[string]any)
	assert.Equal(t, "invalid", e["code"])
	assert.Equal(t, "request_id", e["param"])
	assert.Contains(t, e["message"], "no answer to rate")

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var n int
	var score float64
	var label, comment, model string
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM feedback`).Scan(&n))
	assert.Equal(t, 1, n, "the second rating replaced the first")
	require.NoError(t, sqlDB.QueryRow(`
		SELECT f.score, f.label, f.comment, d.answered
		FROM feedback f JOIN decisions d USING (request_id) WHERE f.request_id = ?`, id).Scan(&score, &label, &comment, &model))
	assert.Equal(t, 1.0, score)
	assert.Equal(t, "good", label)
	assert.Equal(t, "2 is prime", comment)
	assert.NotEmpty(t, model, "the rating joins the decision that it rates")
}
