package server

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Anthropic bills each search its web search tool runs ($10 per 1,000)
// beside the tokens, and counts them in usage.server_tool_use. A Messages
// call that lets Claude search costs its searches too, in the decision log
// and against the key's budget, streamed (where message_delta has the
// count) or not: a few searches can cost more than the call's tokens.
func TestClaudesWebSearchesAreBilled(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Paris is the capital.", WebSearches: 3})
	ctx := context.Background()
	client := e.anthropicClients(onlyModels("claude"))["v1"]
	params := helloParams("What is the capital of France today?")
	params.Tools = []anthropic.ToolUnionParam{{OfWebSearchTool20250305: &anthropic.WebSearchTool20250305Param{}}}
	_, err := client.Messages.New(ctx, params)
	require.NoError(t, err)
	stream := client.Messages.NewStreaming(ctx, params)
	for stream.Next() {
	}
	require.NoError(t, stream.Err())

	// 7 words: the fake's input_tokens; the reply's 4 words its output.
	want := (7*3+4*15)/1e6 + 3*10/1000.0
	records := e.log.waitFor(t, 2)
	total := 0.0
	for _, r := range records {
		require.Equal(t, "claude", r.Answered, "stream=%t", r.Stream)
		assert.Equal(t, 3, r.Usage.WebSearches, "stream=%t", r.Stream)
		assert.InDelta(t, want, r.CostUSD, 1e-12, "stream=%t: not the tokens alone ($0.000081)", r.Stream)
		total += r.CostUSD
	}
	assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}
