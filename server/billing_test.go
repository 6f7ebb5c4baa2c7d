package server

import (
	"bufio"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// withBackoff wires a Backoff into the gateway as `modelrouter serve`
// does: the Forwarder honours it and routing tries its models last.
func withBackoff(b *upstream.Backoff) func(*Config) {
	return func(c *Config) {
		f := c.Forwarder.(*upstream.Forwarder)
		f.Backoff = b
		rt, err := router.New(router.Config{
			Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: testPrediction()},
			Available: f.Providers.Available, Unhealthy: b.Reason,
		})
		if err != nil {
			panic(err)
		}
		c.Router = rt
	}
}

// A continuation (previous_response_id) of an answer a provider stores
// goes to a model of that provider, the only one that knows the id, even
// while the model that wrote it has been asked to wait (a 429 with
// Retry-After): another model of the provider if the call allows one,
// else the writer itself, asked as the call's last model. Never Claude,
// which routing would otherwise pick over the waiting writer.
func TestContinuationOfARateLimitedModelStaysWithItsProvider(t *testing.T) {
	b := &upstream.Backoff{}
	e := newE2E(t, withBackoff(b))
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err)
	require.Equal(t, "large", made.Model)

	// large's provider is busy once and says to wait 30 s.
	e.openai.Set("large", upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailTimes: 1,
		FailHeader: http.Header{"Retry-After": {"30"}}})
	_, err = client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, routingModels("quality", "large", "mini"))
	require.NoError(t, err)
	require.Positive(t, b.Wait(router.Model{ID: "large"}), "large waits as its provider asked")

	continueWith := func(opts ...option.RequestOption) *responses.Response {
		t.Helper()
		next, err := client.Responses.New(ctx, responses.ResponseNewParams{
			Model: "model-router", PreviousResponseID: openai.String(made.ID),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
		}, opts...)
		require.NoError(t, err)
		return next
	}
	// Any model: one of large's provider (mini, while large waits).
	assert.Equal(t, "mini", continueWith(routingModels("quality")).Model)
	// Quality mode over large and Claude: Claude, were large passed over.
	assert.Equal(t, "large", continueWith(routingModels("quality", "large", "claude")).Model,
		"the only model of large's provider the call allows: asked, though it waits")
}

// A provider's own 4xx (a bad request, a context overflow) passed through
// to the client is not an answer and is not billed: no estimated usage or
// cost, nothing against the key's budget or the rate limiter.
func TestProviderClientErrorIsNotBilled(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
	client := e.clients()["v1"]
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
	}, onModel("mini"))
	requireStatus(t, err, http.StatusBadRequest)
	recs := e.log.waitFor(t, 1)
	r := recs[0]
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.False(t, r.UsageEstimated, "a provider's 400 is not an answer whose usage went unreported")
	assert.Zero(t, r.CostUSD, "a provider's 400 costs nothing")
	assert.Zero(t, spent.total(), "nothing to count against the key's budget")
}

type spendRecorder struct {
	recordLog
	usd float64
}

func (s *spendRecorder) Hold(context.Context, string, float64, time.Time) (func(float64), error) {
	return func(usd float64) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.usd += usd
	}, nil
}
func (s *spendRecorder) total() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usd
}

// routingModels narrows a call to models, in this mode.
func routingModels(mode string, models ...string) option.RequestOption {
	return option.WithJSONSet("routing_config", map[string]any{"mode": mode, "models": models})
}

// A Claude stream reports its input tokens first (message_start) and its
// output tokens last (message_delta): a client that leaves mid-stream has
// its prompt counted, and the answer it was streamed is estimated, not
// logged, settled and budgeted as free (as TestStreamWithoutUsageIsChargedItsEstimate
// for streams that report nothing).
func TestClaudeStreamCutByTheClientIsChargedItsAnswer(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{Stall: true, StallAfter: 4})
	body := `{"model":"model-router","stream":true,"routing_config":{"models":["claude"]},"messages":[{"role":"user","content":"Write a long story."}]}`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := e.openStream(t, ctx, body)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for range 3 { // the answer is under way
		line, err := br.ReadString('\n')
		require.NoError(t, err, line)
	}
	cancel()
	r := e.log.waitFor(t, 1)[0]
	require.Equal(t, "claude", r.Answered)
	require.Positive(t, r.Usage.PromptTokens, "message_start reported the input")
	assert.Greater(t, r.Usage.CompletionTokens, 1,
		"the answer streamed to the client was produced and billed: its output must be estimated, not logged as free")
}
