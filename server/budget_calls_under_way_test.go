package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// capSource gives every key a monthly budget and no spend before the
// gateway started.
type capSource struct{ usd float64 }

func (s capSource) KeyBudget(context.Context, string) (store.Budget, error) {
	return store.Budget{USD: s.usd, Period: store.PeriodMonth}, nil
}
func (capSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	return 0, nil
}

// A key's calls under way count against its budget at what they are
// expected to cost, until they finish and their real cost replaces it:
// otherwise every call a client sends at once passes the check (none has
// finished, so nothing is spent yet) and a $5 key with 200 parallel
// workers spends 200 calls' worth. Here one call under way is expected to
// cost more than the whole budget, so the next is refused while it runs,
// and let in once it has ended (the client left, so it cost nothing).
func TestCallsUnderWayCountAgainstTheKeysBudget(t *testing.T) {
	// mini's expected cost: about 8 prompt tokens at $0.4/M and 100
	// predicted answer tokens at $1.6/M, $0.00016; its answer costs $0.0000088.
	e := newE2E(t, func(c *Config) { c.Budgets = budget.New(capSource{usd: 0.0001}, nil) })
	body := `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`

	end := callUnderWay(t, e, body)

	status, h, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
	require.Equal(t, http.StatusTooManyRequests, status, "a second call while the first is expected to spend the budget: %s", raw)
	var refusal struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(raw, &refusal))
	assert.Equal(t, "insufficient_quota", refusal.Error.Code)
	assert.Contains(t, refusal.Error.Message, "1 call under way")
	assert.Empty(t, h.Get("x-should-retry"), "once the call under way ends, a retry may be let in")
	assert.Len(t, e.openai.RequestsFor("mini"), 1, "the refused call reached no provider")

	end() // the first call ends unanswered: it spent nothing
	require.Eventually(t, func() bool {
		status, _, _ := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
		return status == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond, "the hold of a call that ended unanswered is let go")
}
