package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// A Chat Completions call with n > 1 is billed for its n answers together
// (completion_tokens counts them all), while the router model's length
// head predicts one answer's length. export-feedback's output_tokens is
// one answer's: a rated call that asked for three answers and one that
// asked for one, of the same prompt and model, give the length of one.
func TestExportFeedbackGivesOneAnswersLengthOfACallThatAskedForSeveral(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) { o.keepPrompts = true })
	const prompt = "Name a prime number."
	billed := map[int]int{} // completion_tokens by n
	for _, n := range []int{3, 1} {
		body, err := json.Marshal(map[string]any{"model": "model-router", "n": n,
			"messages":       []map[string]string{{"role": "user", "content": prompt}},
			"routing_config": map[string]any{"models": []string{gpt5mini}}})
		require.NoError(t, err)
		resp, err := http.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		var answer struct {
			Choices []json.RawMessage `json:"choices"`
			Usage   struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Len(t, answer.Choices, n)
		billed[n] = answer.Usage.CompletionTokens
		rating := `{"request_id":"` + resp.Header.Get("x-request-id") + `","score":1}`
		require.Eventually(t, func() bool { // the decision row is queued once the answer has ended
			r, err := http.Post(base+"/v1/feedback", "application/json", strings.NewReader(rating))
			require.NoError(t, err)
			r.Body.Close()
			return r.StatusCode == http.StatusOK
		}, 5*time.Second, 5*time.Millisecond)
	}
	require.Positive(t, billed[1])
	require.Equal(t, 3*billed[1], billed[3], "the three answers billed together")
	stop()
	require.NoError(t, <-done)

	out := filepath.Join(t.TempDir(), "traffic")
	stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stdout, "2 rated answers: 1 prompt with 1 label")
	d, err := dataset.Load(out)
	require.NoError(t, err)
	require.Len(t, d.Items, 1)
	res := d.Items[0].Results[gpt5mini]
	require.NotNil(t, res.OutputTokens)
	assert.Equal(t, float64(billed[1]), *res.OutputTokens, "one answer's length, not the mean of the calls' sums")
}

// One answer's length is the visible part: a call of two answers billed
// for 1000 tokens, 400 of them reasoning, gave answers of 300 visible
// tokens on average. A row logged before the log kept n reads as one
// answer, as it did.
func TestExportFeedbackSharesTheVisibleTokensAmongACallsAnswers(t *testing.T) {
	model, s, db := exportLog(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rec := func(id, prompt string, answers, completion, reasoning int) router.Record {
		at = at.Add(time.Second)
		return router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: "h", PromptText: prompt,
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: model.ID},
			Answered: model.ID, Status: 200, Answers: answers,
			Usage: router.Usage{PromptTokens: 20, CompletionTokens: completion, ReasoningTokens: reasoning}}
	}
	s.Log().Record(rec("two", "Explain TCP slow start.", 2, 1000, 400))
	s.Log().Record(rec("one", "Explain TCP slow start.", 1, 420, 120))
	s.Log().Record(rec("unset", "Why is the sky blue?", 0, 250, 50))
	require.NoError(t, s.Log().Flush(ctx))
	for _, id := range []string{"two", "one", "unset"} {
		require.NoError(t, s.AddFeedback(ctx, id, 1, "", ""))
	}
	require.NoError(t, s.Close())

	out := filepath.Join(t.TempDir(), "traffic")
	_, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	d, err := dataset.Load(out)
	require.NoError(t, err)
	lengths := map[string]float64{}
	for _, it := range d.Items {
		require.NotNil(t, it.Results[model.ID].OutputTokens, it.Prompt)
		lengths[it.Prompt] = *it.Results[model.ID].OutputTokens
	}
	assert.Equal(t, map[string]float64{
		"Explain TCP slow start.": 300, // (600 + 300) visible tokens over three answers
		"Why is the sky blue?":    200,
	}, lengths)
}
