package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Responses call with truncation "auto" asks the provider to drop the
// conversation's oldest items when they overflow the model's window, and
// OpenAI does so rather than refuse: such a call is not refused for a
// prompt longer than the window of an OpenAI model, which gets it with
// truncation as sent, and is priced at the prompt that model keeps. A
// model whose provider is not known to cut (another OpenAI-compatible
// server) is still left out, and without truncation the prompt must fit.
func TestTruncationAutoLetsAnOpenAIModelTakeAPromptLongerThanItsWindow(t *testing.T) {
	cat, pred := catalogPrediction(t)
	fake := upstreamtest.NewOpenAI(t)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		// The fake plays OpenAI's API, which cuts the prompt.
		"openai":   {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream", OpenAIAPI: true},
		"deepseek": {Name: "deepseek", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-deepseek"},
	}}
	url := serveCatalog(t, cat, pred, ps, Config{Truncates: ps.Truncates})
	client := openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("sk-client"), option.WithMaxRetries(0))

	long := strings.Repeat("word ", 200_000) // past gpt-4o-mini's 128K window
	ask := func(truncation responses.ResponseNewParamsTruncation, models ...string) (*responses.Response, error) {
		return client.Responses.New(context.Background(), responses.ResponseNewParams{
			Model:      "model-router",
			Input:      responses.ResponseNewParamsInputUnion{OfString: openai.String(long)},
			Truncation: truncation,
		}, option.WithJSONSet("routing_config", map[string]any{"models": models}))
	}

	resp, err := ask(responses.ResponseNewParamsTruncationAuto, "gpt-4o-mini")
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", string(resp.Model))
	sent := fake.RequestsFor("gpt-4o-mini-2024-07-18")
	require.Len(t, sent, 1)
	var body struct {
		Truncation string `json:"truncation"`
	}
	require.NoError(t, json.Unmarshal(sent[0].Body, &body))
	assert.Equal(t, "auto", body.Truncation)
	chosen := selection(t, extraOf(resp.JSON.ExtraFields))["candidates"].([]any)[0].(map[string]any)
	mini, _ := cat.Model("gpt-4o-mini-2024-07-18")
	assert.LessOrEqual(t, chosen["expected_cost_usd"].(float64), (float64(mini.ContextWindow)*mini.InputPerMTok+4096*mini.OutputPerMTok)/1e6,
		"priced at what fits its window, not at the whole prompt")

	for _, tc := range []struct {
		name       string
		truncation responses.ResponseNewParamsTruncation
		model      string
	}{
		{"a server not known to cut", responses.ResponseNewParamsTruncationAuto, "DeepSeek-V3.2"},
		{"truncation disabled", responses.ResponseNewParamsTruncationDisabled, "gpt-4o-mini"},
		{"no truncation", "", "gpt-4o-mini"},
	} {
		_, err := ask(tc.truncation, tc.model)
		var apiErr *openai.Error
		require.True(t, errors.As(err, &apiErr), "%s: %v", tc.name, err)
		assert.Equal(t, 400, apiErr.StatusCode, tc.name)
		assert.Equal(t, "context_length_exceeded", apiErr.Code, tc.name)
	}
	assert.Len(t, fake.RequestsFor("gpt-4o-mini-2024-07-18"), 1, "nothing more reached the provider")
}

// What a truncated prompt is charged before the answer and, where the
// answer's usage never comes (the client left mid-stream), billed in its
// stead is what the model keeps of it, as its expected cost counts: the
// whole prompt would hold the deployment's capacity and the key's budget
// for tokens OpenAI neither reads nor bills.
func TestTruncationAutoChargesAndEstimatesThePromptTheModelKeeps(t *testing.T) {
	cat, pred := catalogPrediction(t)
	fake := upstreamtest.NewOpenAI(t)
	fake.Set("gpt-4o-mini-2024-07-18", upstreamtest.Behavior{Stall: true, StallAfter: 3})
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		// The fake plays OpenAI's API, which cuts the prompt.
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream", OpenAIAPI: true},
	}}
	lim, log := &countingLimiter{}, &recordLog{}
	url := serveCatalog(t, cat, pred, ps, Config{Truncates: ps.Truncates, Log: log, Limiter: lim})

	body, err := json.Marshal(map[string]any{
		"model": "model-router", "stream": true, "truncation": "auto",
		"input":          strings.Repeat("word ", 200_000), // past gpt-4o-mini's 128K window
		"routing_config": map[string]any{"models": []string{"gpt-4o-mini"}},
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/responses", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer sk-client")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	line, err := bufio.NewReader(resp.Body).ReadString('\n') // the answer is under way
	require.NoError(t, err, line)
	cancel()

	mini, _ := cat.Model("gpt-4o-mini-2024-07-18")
	assert.LessOrEqual(t, lim.est.Load(), int64(mini.ContextWindow+200), "the capacity charge")
	r := log.waitFor(t, 1)[0]
	require.Equal(t, "gpt-4o-mini-2024-07-18", r.Answered)
	assert.Positive(t, r.Usage.PromptTokens)
	assert.LessOrEqual(t, r.Usage.PromptTokens, mini.ContextWindow, "the estimate that stands in for the usage the stream never sent")
}
