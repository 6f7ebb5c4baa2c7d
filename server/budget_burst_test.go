package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/ratelimit"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// answer is what one of several clients sending at once got.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// code is the error code of a refused call's answer.
func (a answer) code() string {
	var refusal struct{ Error struct{ Code string } }
	_ = json.Unmarshal(a.body, &refusal)
	return refusal.Error.Code
}

// postFrom sends a chat call with the e2e key under ctx and reads its answer
// to the end; it reports what failed rather than ending the test, so many
// can run at once.
func postFrom(ctx context.Context, e *e2e, body string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: raw, err: err}
}

// chosenExpectedCost is what the record's call held of its key's budget:
// its chosen model's expected cost.
func chosenExpectedCost(rec router.Record) float64 {
	for _, c := range rec.Decision.Candidates {
		if c.Model == rec.Decision.ChosenID {
			return c.ExpectedCost
		}
	}
	return 0
}

// Many calls sent at once on one key are let in only while the expected
// cost of those under way leaves some of its budget: the provider holds
// every call it received until all have been checked, so each check saw
// the others under way, none of them finished. The last call let in saw
// less than the budget held, the first refused saw it all held, and what
// the calls let in were billed (answers as long as predicted) is within
// the budget and one call, as the README promises.
func TestABurstOnOneKeyIsLetInOnlyAsFarAsItsBudgetHolds(t *testing.T) {
	const usd, n = 0.001, 24
	gate := make(chan struct{})
	e := newE2E(t, func(c *Config) { c.Budgets = budget.New(capSource{usd: usd}, nil) })
	// mini is predicted to answer 100 tokens: answered as long, a call
	// costs about what it held.
	e.openai.Set("mini", upstreamtest.Behavior{Gate: gate, Reply: strings.TrimSpace(strings.Repeat("word ", 100))})
	body := `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`

	answers := make(chan answer, n)
	for range n {
		go func() { answers <- postFrom(context.Background(), e, body) }()
	}
	var refused []answer
	require.Eventually(t, func() bool {
		for {
			select {
			case a := <-answers: // nothing is answered before the gate opens
				refused = append(refused, a)
			default:
				return len(refused)+len(e.openai.RequestsFor("mini")) == n
			}
		}
	}, 10*time.Second, 5*time.Millisecond, "every call is refused or under way")
	admitted := len(e.openai.RequestsFor("mini"))
	close(gate)
	for range admitted {
		a := <-answers
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status, "%s", a.body)
	}
	for _, a := range refused {
		require.NoError(t, a.err)
		require.Equal(t, http.StatusTooManyRequests, a.status, "%s", a.body)
		assert.Equal(t, "insufficient_quota", a.code())
		assert.Contains(t, string(a.body), "under way", "refused for the calls under way, not for what was spent")
		assert.Empty(t, a.header.Get("x-should-retry"), "the calls under way may cost less: a retry may be let in")
	}

	recs := e.log.waitFor(t, n)
	var est, billed, most float64
	for _, r := range recs {
		if r.Status == http.StatusOK {
			est = chosenExpectedCost(r)
			billed += r.CostUSD
			most = max(most, r.CostUSD)
		}
	}
	require.Positive(t, est)
	t.Logf("%d of %d calls let in, each expected to cost $%.8f, against $%.4f; billed $%.8f", admitted, n, est, usd, billed)
	assert.Less(t, float64(admitted-1)*est, usd, "the last call let in saw less than the budget held")
	assert.GreaterOrEqual(t, float64(admitted)*est, usd*(1-1e-9), "the first call refused saw the budget held")
	assert.LessOrEqual(t, billed, usd+most, "a burst overspends by one call at most")
}

// budgetSource gives every key the same monthly budget, which the test
// changes while the gateway runs, and no spend before the gateway started.
type budgetSource struct {
	mu  sync.Mutex
	usd float64
}

func (s *budgetSource) set(usd float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usd = usd
}

func (s *budgetSource) KeyBudget(context.Context, string) (store.Budget, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return store.Budget{USD: s.usd, Period: store.PeriodMonth}, nil
}

func (*budgetSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	return 0, nil
}

// However a call ends, its hold on its key's budget goes: answered, failed
// on every model, failed over, left by its client, its stream broken
// halfway, timed out, cut at shutdown, or refused by its deployment's
// capacity after the budget let it in. Several calls of each kind are
// under way together (the provider holds them until all have come), and
// once all have ended the budget is lowered to what they spent and a
// hair: a hold left behind would refuse the next call for its budget
// (insufficient_quota, "calls under way") until a restart.
func TestEveryEndOfACallLetsGoItsHoldOnItsKeysBudget(t *testing.T) {
	const prompt = `"messages":[{"role":"user","content":"What is the capital of France?"}]}`
	const onMini = `{"model":"model-router","routing_config":{"models":["mini"]},` + prompt
	const streamedOnMini = `{"model":"model-router","stream":true,"routing_config":{"models":["mini"]},` + prompt
	const largeThenMini = `{"model":"model-router","routing_config":{"models":["large","mini"],"mode":"quality"},` + prompt
	type ending int
	const (
		openGate ending = iota // the provider goes on as its behaviour says
		clientsLeave
		shutDown
		nothing // the call ends by itself
	)
	for _, tc := range []struct {
		name  string
		calls int
		body  string
		// held is the model whose provider holds the calls until end.
		held     string
		behavior upstreamtest.Behavior
		config   func(c *Config, drain context.Context)
		end      ending
		// status is every call's logged status, answered the model that
		// answered each.
		status   int
		answered string
	}{
		{name: "answered", calls: 3, body: onMini, held: "mini", end: openGate, status: http.StatusOK, answered: "mini"},
		{name: "every model failed", calls: 3, body: onMini, held: "mini", behavior: upstreamtest.Behavior{FailStatus: http.StatusInternalServerError},
			end: openGate, status: http.StatusBadGateway},
		{name: "failed over", calls: 3, body: largeThenMini, held: "large", behavior: upstreamtest.Behavior{FailStatus: http.StatusInternalServerError},
			end: openGate, status: http.StatusOK, answered: "mini"},
		{name: "client left", calls: 3, body: onMini, held: "mini", end: clientsLeave, status: statusClientClosed},
		{name: "stream broke halfway", calls: 3, body: streamedOnMini, held: "mini", behavior: upstreamtest.Behavior{CutAfter: 3},
			end: openGate, status: http.StatusBadGateway, answered: "mini"},
		{name: "provider's error halfway", calls: 3, body: streamedOnMini, held: "mini", behavior: upstreamtest.Behavior{ErrorAfter: 3},
			end: openGate, status: http.StatusBadGateway, answered: "mini"},
		{name: "timed out", calls: 3, body: onMini, held: "mini",
			config: func(c *Config, _ context.Context) {
				c.Forwarder.(*upstream.Forwarder).Deadline = 200 * time.Millisecond
			},
			end: nothing, status: http.StatusBadGateway},
		{name: "shut down", calls: 3, body: onMini, held: "mini",
			config: func(c *Config, drain context.Context) { c.Forwarder.(*upstream.Forwarder).Drain = drain },
			end:    shutDown, status: http.StatusServiceUnavailable},
		{name: "over the deployment's capacity", calls: 12, body: onMini, // capacity 10 lets 10 in at one instant
			config: func(c *Config, _ context.Context) {
				frozen := time.Unix(1_800_000_000, 0)
				c.Limiter = ratelimit.New(func() time.Time { return frozen })
			},
			end: nothing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &budgetSource{usd: 1} // room for every call here
			drain, shutdown := context.WithCancel(context.Background())
			defer shutdown()
			e := newE2E(t, func(c *Config) {
				tr := budget.New(src, nil)
				tr.Refresh = 0 // read at every call: lowered below, it applies at once
				c.Budgets = tr
				if tc.config != nil {
					tc.config(c, drain)
				}
			})
			gate := make(chan struct{})
			if tc.held != "" {
				b := tc.behavior
				b.Gate = gate
				e.openai.Set(tc.held, b)
			}
			ctx, leave := context.WithCancel(context.Background())
			defer leave()
			var wg sync.WaitGroup
			for range tc.calls {
				wg.Go(func() { postFrom(ctx, e, tc.body) })
			}
			if tc.held != "" {
				require.Eventually(t, func() bool { return len(e.openai.RequestsFor(tc.held)) == tc.calls },
					10*time.Second, 5*time.Millisecond, "every call under way at once")
			}
			switch tc.end {
			case openGate:
				close(gate)
			case clientsLeave:
				leave()
			case shutDown:
				shutdown()
			}
			wg.Wait()
			recs := e.log.waitFor(t, tc.calls)
			spent := 0.0
			limited := 0
			for _, r := range recs {
				spent += r.CostUSD
				if tc.status != 0 {
					assert.Equal(t, tc.status, r.Status, "%s: %s", r.ErrorCode, r.Answered)
					assert.Equal(t, tc.answered, r.Answered)
				}
				if r.ErrorCode == router.ERateLimited {
					limited++
				}
			}
			if tc.status == 0 {
				assert.Positive(t, limited, "some calls were refused for the deployment's capacity")
			}

			src.set(spent + 1e-9)
			e.openai.Set("mini", upstreamtest.Behavior{})
			probe := postFrom(context.Background(), e, onMini)
			require.NoError(t, probe.err)
			assert.NotEqual(t, "insufficient_quota", probe.code(),
				"$%.8f spent of $%.8f: a hold was left behind: %s", spent, spent+1e-9, probe.body)
		})
	}
}
