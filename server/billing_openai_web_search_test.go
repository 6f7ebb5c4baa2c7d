package server

import (
	"context"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// searchAsk is a Responses call that lets the model search the web.
func searchAsk() responses.ResponseNewParams {
	p := ask("What is the capital of France today?")
	p.Tools = []responses.ToolUnionParam{{OfWebSearch: &responses.WebSearchToolParam{Type: responses.WebSearchToolTypeWebSearch}}}
	return p
}

// OpenAI bills each search its Responses web search tool runs ($10 per
// 1,000) beside the tokens; its usage does not count them, its output has
// a web_search_call item for each. An answer that searched costs its
// searches too, in the decision log and against the key's budget,
// streamed (response.completed has every item) or not.
func TestOpenAIsWebSearchCallsAreBilled(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", WebSearches: 2})
	ctx := context.Background()
	client := e.clients()["v1"]
	answer, err := client.Responses.New(ctx, searchAsk(), onModel("large"))
	require.NoError(t, err)
	searched := 0
	for _, item := range answer.Output {
		if item.Type == "web_search_call" {
			searched++
		}
	}
	require.Equal(t, 2, searched, "the client gets the answer's searches as the provider wrote them")
	events := client.Responses.NewStreaming(ctx, searchAsk(), onModel("large"))
	for events.Next() {
	}
	require.NoError(t, events.Err())

	records := e.log.waitFor(t, 2)
	total := 0.0
	for _, r := range records {
		require.Equal(t, "large", r.Answered, "stream=%t", r.Stream)
		assert.Equal(t, 2, r.Usage.WebSearches, "stream=%t", r.Stream)
		tokens := (float64(r.Usage.PromptTokens)*2 + float64(r.Usage.CompletionTokens)*8) / 1e6
		assert.InDelta(t, tokens+2*0.01, r.CostUSD, 1e-12, "stream=%t: not the tokens alone", r.Stream)
		total += r.CostUSD
	}
	assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}

// OpenAI bills the searches of its older web_search_preview tool at $25
// per 1,000 for a model without reasoning, where web_search is $10 (and
// leaves their search content out of input_tokens): an answer whose call
// offered only web_search_preview costs its searches at that price,
// streamed or not. The search items do not say which tool ran them, so an
// answer offered both tools is billed at web_search's price.
func TestWebSearchPreviewSearchesAreBilledAtItsPrice(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", WebSearches: 2})
	ctx := context.Background()
	client := e.clients()["v1"]
	preview := responses.ToolUnionParam{OfWebSearchPreview: &responses.WebSearchPreviewToolParam{Type: responses.WebSearchPreviewToolTypeWebSearchPreview}}
	both := searchAsk()
	both.Tools = append(both.Tools, preview)
	onlyPreview := ask("What is the capital of France today?")
	onlyPreview.Tools = []responses.ToolUnionParam{preview}

	tests := []struct {
		name   string
		call   responses.ResponseNewParams
		stream bool
		per    float64 // USD a search
	}{
		{"web_search_preview", onlyPreview, false, 0.025},
		{"web_search_preview, streamed", onlyPreview, true, 0.025},
		{"web_search", searchAsk(), false, 0.01},
		{"both tools", both, false, 0.01},
	}
	for i, tt := range tests {
		if tt.stream {
			events := client.Responses.NewStreaming(ctx, tt.call, onModel("large"))
			for events.Next() {
			}
			require.NoError(t, events.Err(), tt.name)
		} else {
			_, err := client.Responses.New(ctx, tt.call, onModel("large"))
			require.NoError(t, err, tt.name)
		}
		r := e.log.waitFor(t, i+1)[i]
		require.Equal(t, 2, r.Usage.WebSearches, tt.name)
		tokens := (float64(r.Usage.PromptTokens)*2 + float64(r.Usage.CompletionTokens)*8) / 1e6
		assert.InDelta(t, tokens+2*tt.per, r.CostUSD, 1e-12, tt.name)
	}
	total := 0.0
	for _, r := range e.log.all() {
		total += r.CostUSD
	}
	assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}

// A background job that searched is booked with its searches when a read
// finds it over, as an answer at once would be billed.
func TestABackgroundAnswersWebSearchesAreBooked(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", WebSearches: 3})
	client := e.clients()["v1"]
	ctx := context.Background()
	id := startBackground(t, e)
	var done *responses.Response
	require.Eventually(t, func() bool {
		r, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
		require.NoError(t, err)
		done = r
		return r.Status == responses.ResponseStatusCompleted
	}, 5*time.Second, 10*time.Millisecond)
	var booked store.DecisionRow
	require.Eventually(t, func() bool {
		booked = loggedRow(t, st, id)
		return !booked.UsageEstimated
	}, 5*time.Second, 10*time.Millisecond, "the read that found the job over books its usage")
	assert.InDelta(t, largeCost(done.Usage)+3*0.01, booked.CostUSD, 1e-12, "its three searches beside its tokens")
}

// A background job whose call offered only web_search_preview is booked
// its searches at that tool's price when a read finds it over: the read's
// answer echoes the tools its call offered.
func TestABackgroundAnswersPreviewSearchesAreBookedAtTheirPrice(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", WebSearches: 3})
	client := e.clients()["v1"]
	ctx := context.Background()
	bg := ask("Write the quarterly report.")
	bg.Background = openai.Bool(true)
	bg.Tools = []responses.ToolUnionParam{{OfWebSearchPreview: &responses.WebSearchPreviewToolParam{Type: responses.WebSearchPreviewToolTypeWebSearchPreview}}}
	queued, err := client.Responses.New(ctx, bg, onModel("large"))
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusQueued, queued.Status)
	var done *responses.Response
	require.Eventually(t, func() bool {
		r, err := client.Responses.Get(ctx, queued.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		done = r
		return r.Status == responses.ResponseStatusCompleted
	}, 5*time.Second, 10*time.Millisecond)
	var booked store.DecisionRow
	require.Eventually(t, func() bool {
		booked = loggedRow(t, st, queued.ID)
		return !booked.UsageEstimated
	}, 5*time.Second, 10*time.Millisecond, "the read that found the job over books its usage")
	assert.InDelta(t, largeCost(done.Usage)+3*0.025, booked.CostUSD, 1e-12, "its three preview searches beside its tokens")
}

// Azure runs the web search tool on Grounding with Bing, billed on its
// own meter at a price the catalog has no source for: an Azure answer's
// searches are left unbilled rather than billed at OpenAI's price.
func TestAzuresWebSearchesAreNotBilledAtOpenAIsPrice(t *testing.T) {
	e := newE2E(t)
	e.start(t, func(c *Config) {
		c.Forwarder = &upstream.Forwarder{AttemptTimeout: 5 * time.Second, Providers: upstream.Providers{ByName: map[string]upstream.Provider{
			"openai": {Name: "azure", Kind: upstream.KindAzure, BaseURL: e.openai.Root, APIKey: "sk-upstream-azure"},
		}}}
	})
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", WebSearches: 2})
	client := e.clients()["v1"]
	_, err := client.Responses.New(context.Background(), searchAsk(), onModel("large"))
	require.NoError(t, err)
	r := e.log.waitFor(t, 1)[0]
	require.Equal(t, "large", r.Answered)
	assert.Zero(t, r.Usage.WebSearches)
	assert.InDelta(t, (float64(r.Usage.PromptTokens)*2+float64(r.Usage.CompletionTokens)*8)/1e6, r.CostUSD, 1e-12)
}

// A call that offers the web search tool is routed on its tokens alone:
// whether the model searches, and how often, is its own choice, and a
// model whose searches the catalog cannot price (gpt-5-chat) would look a
// search cheaper than the ones it can. The searches an answer ran are
// billed after it, in cost_usd.
func TestExpectedCostCountsNoWebSearchForACallThatOffersTheTool(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital."})
	client := e.clients()["v1"]
	plain := ask("What is the capital of France today?")
	_, err := client.Responses.New(context.Background(), plain, onModel("large"))
	require.NoError(t, err)
	_, err = client.Responses.New(context.Background(), searchAsk(), onModel("large"))
	require.NoError(t, err)
	expected := func(r router.Record) float64 {
		for _, c := range r.Decision.Candidates {
			if c.Model == "large" {
				return c.ExpectedCost
			}
		}
		t.Fatalf("large is not a candidate")
		return 0
	}
	recs := e.log.waitFor(t, 2)
	without, with := expected(recs[0]), expected(recs[1])
	assert.Positive(t, without)
	assert.Less(t, with-without, 0.001, "no search ($0.01) in the expected cost: %v against %v", with, without)
}
