package server

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// holdRecorder is a budget with room for anything that records what each
// call held of it.
type holdRecorder struct {
	mu   sync.Mutex
	held []float64
}

func (h *holdRecorder) Hold(_ context.Context, _ string, usd float64, _ time.Time) (func(float64), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = append(h.held, usd)
	return func(float64) {}, nil
}

func (h *holdRecorder) last() float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held[len(h.held)-1]
}

// effortE2E is the e2e gateway with two more models: reasoner, priced as
// gpt-5-nano with its 512 hidden reasoning tokens and efforts, and pricey,
// a model whose answers cost more than Claude's.
func effortE2E(t *testing.T) (*e2e, *holdRecorder, *countingLimiter) {
	t.Helper()
	holds, lim := &holdRecorder{}, &countingLimiter{}
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		reasoner := testModel("reasoner", "openai", "OpenAI", 0.05, 0.4,
			router.Capabilities{Reasoning: true, ReasoningEfforts: []string{"minimal", "low", "medium", "high"}})
		reasoner.ReasoningTokens = 512
		cat.Versions[0].Models = append(cat.Versions[0].Models, reasoner, testModel("pricey", "openai", "OpenAI", 2, 20, allCaps))
		pred := testPrediction()
		pred["reasoner"] = router.Estimate{Quality: 0.89, OutputTokens: 100}
		pred["pricey"] = router.Estimate{Quality: 0.895, OutputTokens: 100}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: c.Available})
		require.NoError(t, err)
		c.Router, c.Budgets, c.Limiter = rt, holds, lim
	})
	return e, holds, lim
}

func chosenCost(t *testing.T, d router.Decision) float64 {
	t.Helper()
	for _, c := range d.Candidates {
		if c.Model == d.ChosenID {
			return c.ExpectedCost
		}
	}
	t.Fatalf("no candidate %s", d.ChosenID)
	return 0
}

// reasoning_effort minimal asks gpt-5-nano's like for no hidden reasoning:
// its 100-token answer at $0.4/M beats mini's ($1.6/M), which beats it
// with 512 reasoning tokens more at the default effort. The key's budget
// holds the logged expected cost of the model chosen, and the deployment's
// capacity is charged the reasoning the effort asks for: 512 tokens fewer
// at minimal.
func TestReasoningEffortChangesTheModelChosenAndWhatTheCallHolds(t *testing.T) {
	e, holds, lim := effortE2E(t)
	chat := func(models, extra string) (router.Record, int64) {
		t.Helper()
		before := len(e.log.all())
		status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
			`{"model":"model-router","routing_config":{"mode":"cost","models":`+models+`},`+extra+
				`"messages":[{"role":"user","content":"What is the capital of France?"}]}`)
		require.Equal(t, http.StatusOK, status, "%s", raw)
		rec := e.log.waitFor(t, before+1)[before]
		assert.InDelta(t, chosenCost(t, rec.Decision), holds.last(), 1e-15, "the budget holds the expected cost the router weighed")
		return rec, lim.est.Load()
	}

	rec, _ := chat(`["reasoner","mini"]`, "")
	assert.Equal(t, "mini", rec.Answered, "at its default effort the reasoner's hidden reasoning costs more")
	rec, _ = chat(`["reasoner","mini"]`, `"reasoning_effort":"minimal",`)
	assert.Equal(t, "reasoner", rec.Answered, "at minimal it has none to pay for")

	_, atDefault := chat(`["reasoner"]`, "")
	_, atMinimal := chat(`["reasoner"]`, `"reasoning_effort":"minimal",`)
	assert.Equal(t, int64(512), atDefault-atMinimal, "capacity is charged the reasoning the effort asks for")
}

// A Messages call that turns thinking on asks Claude, which reads it
// itself, for hidden reasoning its catalog figure (0) leaves out: Claude,
// the cheaper without thinking ($15/M against pricey's $20/M for a 100-token
// answer), is the dearer with 512 thinking tokens more, and the capacity
// charge counts them.
func TestThinkingOnAMessagesCallChangesTheModelChosen(t *testing.T) {
	e, _, lim := effortE2E(t)
	ask := func(models []string, thinking bool) (router.Record, int64) {
		t.Helper()
		client := e.anthropicClients(aoption.WithJSONSet("routing_config", map[string]any{"mode": "cost", "models": models}))["v1"]
		params := helloParams("Why is the sky blue?")
		params.MaxTokens = 2048
		if thinking {
			params.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
		}
		before := len(e.log.all())
		_, err := client.Messages.New(context.Background(), params)
		require.NoError(t, err)
		return e.log.waitFor(t, before+1)[before], lim.est.Load()
	}

	rec, _ := ask([]string{"claude", "pricey"}, false)
	assert.Equal(t, "claude", rec.Answered)
	rec, _ = ask([]string{"claude", "pricey"}, true)
	assert.Equal(t, "pricey", rec.Answered, "Claude pays for the thinking it is asked for")

	_, plain := ask([]string{"claude"}, false)
	_, thinking := ask([]string{"claude"}, true)
	assert.Equal(t, int64(router.ThinkingTokens), thinking-plain, "capacity is charged Claude's thinking")
}
