package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A provider that answers 429 with how long to wait is left alone that
// long: its model is tried last and skipped, so calls go straight to the
// next one. When every model is rate limited the client gets a 429 with
// the wait, and an SDK that honours it is answered on its retry.
func TestServeHonoursAProvidersRetryAfter(t *testing.T) {
	s := startControlsServeWith(t, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) { o.rateLimits = false })
	oa, base := s.openai, s.base
	oa.Set(gpt5, upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests,
		FailHeader: http.Header{"Retry-After": {"30"}}})
	const pair = `,"routing_config":{"mode":"quality","models":["` + gpt5 + `","` + gpt41 + `"]}`

	type details struct {
		Chosen   string `json:"chosen_model"`
		Answered string `json:"answered_model"`
		Cands    []struct {
			Model, Reason string
		} `json:"candidates"`
	}
	ask := func() details {
		t.Helper()
		resp, raw := s.call(t, "POST", "/v1/chat/completions", chatTo("model-router", pair))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
		var body struct {
			D details `json:"model_selection_details"`
		}
		require.NoError(t, json.Unmarshal(raw, &body))
		return body.D
	}
	d := ask()
	assert.Equal(t, gpt5, d.Chosen)
	assert.Equal(t, gpt41, d.Answered, "failed over")
	d = ask()
	assert.Equal(t, gpt41, d.Chosen, "straight to the model not rate limited")
	for _, c := range d.Cands {
		if c.Model == gpt5 {
			assert.Contains(t, c.Reason, "tried last: rate limited: its provider answered HTTP 429 and asked to wait")
		}
	}
	assert.Len(t, oa.RequestsFor(gpt5), 1, "not asked again during its wait")
	_, scrape := s.call(t, "GET", "/metrics", "")
	assert.Contains(t, string(scrape), `modelrouter_model_rate_limited{model="`+gpt5+`"} 1`)
	assert.NotContains(t, string(scrape), `modelrouter_model_unhealthy{model="`+gpt5+`"}`, "busy is not broken")

	// Now the other provider is busy too, once, for a moment: the client
	// gets a 429 with that wait, in both headers the SDKs read.
	oa.Set(gpt41, upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailTimes: 1,
		FailHeader: http.Header{"Retry-After-Ms": {"300"}}})
	resp, raw := s.call(t, "POST", "/v1/chat/completions", chatTo("model-router", pair))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "%s", raw)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, "300", resp.Header.Get("Retry-After-Ms"))
	msg, typ, _ := openAIError(t, raw)
	assert.Equal(t, "rate_limit_error", typ)
	assert.Contains(t, msg, "every upstream model is rate limited by its provider")

	// The same again, through the OpenAI SDK with its retries on: it waits
	// as told and its retry is answered.
	oa.Set(gpt41, upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailTimes: 1,
		FailHeader: http.Header{"Retry-After-Ms": {"200"}}})
	client := openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey("loopback"), option.WithMaxRetries(2))
	asked := len(oa.RequestsFor(gpt41))
	start := time.Now()
	answer, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Summarise the plot of Hamlet")},
	}, option.WithJSONSet("routing_config", map[string]any{"mode": "quality", "models": []string{gpt5, gpt41}}))
	require.NoError(t, err)
	assert.Equal(t, gpt41, answer.Model)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "the SDK waited as told")
	assert.Len(t, oa.RequestsFor(gpt41), asked+2, "turned away once, then answered")
}
