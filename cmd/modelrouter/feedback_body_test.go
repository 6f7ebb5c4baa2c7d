package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// POST /v1/feedback takes one rating per call: a body with two ratings one
// after the other ({...}{...}, as a client batching ratings might send) is
// refused with a 400, as every other JSON endpoint refuses data after its
// object, and neither rating is stored, rather than the first stored with a
// 200 and the second lost.
func TestFeedbackRefusesDataAfterTheObject(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, nil)

	ask := func() string {
		resp, err := http.Post(base+"/v1/chat/completions", "application/json",
			bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"Name a prime number."}]}`))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp.Header.Get("x-request-id")
	}
	first, second := ask(), ask()

	body := `{"request_id":"` + first + `","score":1}` + "\n" + `{"request_id":"` + second + `","score":0}`
	resp, err := http.Post(base+"/v1/feedback", "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()

	stop()
	require.NoError(t, <-done)
	st, err := store.Open(db)
	require.NoError(t, err)
	defer st.Close()
	_, err1 := st.GetFeedback(context.Background(), first)
	_, err2 := st.GetFeedback(context.Background(), second)

	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a body with data after the rating: %v", out)
	assert.Error(t, err1, "the first rating of a refused body is not stored")
	assert.Error(t, err2, "nor the second")
}
