package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestFeedbackLoopWithoutARestart is the README's loop as a user runs it:
// answers are rated through the API, export-feedback turns the ratings
// into a dataset, add-profile writes gpt-5-mini's own profile into the
// folder serve runs from, a reload switches to it, and the gateway then
// predicts gpt-5-mini from its ratings: good at poems, bad at sums.
func TestFeedbackLoopWithoutARestart(t *testing.T) {
	dir, db := servedCopy(t), filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.predictor, o.routerModel, o.adminKey, o.keepPrompts = nil, dir, reloadAdminKey, true
	})
	for i := range 80 {
		prompt, score := fmt.Sprintf("Write a four-line poem about the sea, version %d.", i), 1
		if i%2 == 1 {
			prompt, score = fmt.Sprintf("Multiply %d by %d and show the working.", 1234+i, 5678+i), 0
		}
		body, err := json.Marshal(map[string]any{"model": "model-router", "messages": []map[string]string{{"role": "user", "content": prompt}},
			"routing_config": map[string]any{"models": []string{gpt5mini}}})
		require.NoError(t, err)
		resp, err := http.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, gpt5mini, resp.Header.Get("x-modelrouter-model"))
		rating := fmt.Sprintf(`{"request_id": %q, "score": %d}`, resp.Header.Get("x-request-id"), score)
		require.Eventually(t, func() bool { // the decision row is queued once the answer has ended
			r, err := http.Post(base+"/v1/feedback", "application/json", strings.NewReader(rating))
			require.NoError(t, err)
			r.Body.Close()
			return r.StatusCode == http.StatusOK
		}, 5*time.Second, 5*time.Millisecond)
	}
	before := routeProfiles(t, base)[gpt5mini]
	require.NotEqual(t, gpt5mini, before, "a stand-in before")

	traffic := filepath.Join(t.TempDir(), "traffic")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"export-feedback", "--db", db, "--out", traffic}, &stdout, &stderr), stderr.String())
	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", traffic, "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "added profile "+gpt5mini+": 80 labelled answers")

	status, body := adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, gpt5mini, routeProfiles(t, base)[gpt5mini])
	poem, sum := routeQuality(t, base, "Write a four-line poem about the hills."), routeQuality(t, base, "Multiply 4321 by 8765 and show the working.")
	assert.Greater(t, poem, sum+0.3, "learned from the ratings: poems good, sums bad")

	stop()
	require.NoError(t, <-done)
}

// routeQuality is gpt-5-mini's predicted quality for the prompt.
func routeQuality(t *testing.T, base, prompt string) float64 {
	t.Helper()
	body, err := json.Marshal(map[string]any{"model": "model-router", "messages": []map[string]string{{"role": "user", "content": prompt}}})
	require.NoError(t, err)
	resp, err := http.Post(base+"/v1/route", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var rr struct {
		Candidates []struct {
			Model            string  `json:"model"`
			PredictedQuality float64 `json:"predicted_quality"`
		} `json:"candidates"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rr))
	for _, c := range rr.Candidates {
		if c.Model == gpt5mini {
			return c.PredictedQuality
		}
	}
	t.Fatalf("%s is not a candidate", gpt5mini)
	return 0
}
