package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// An OpenAI-format provider that reports prompt cache writes (LiteLLM in
// front of Claude) is reported the Anthropic way: input_tokens are only
// the prompt tokens neither read from the cache nor written to it, and the
// writes are cache_creation_input_tokens, so a client that prices or sums
// the three counts (as Anthropic documents the total) sees each once.
func TestMessagesTranslatedUsageReportsCacheWritesApart(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("model-a", upstreamtest.Behavior{CachedTokens: 12, CacheWriteTokens: 10})
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
			c := messagesClient(g)
			msg := helloMessage(t, c, stream)
			out := g.outcome(t)
			// The fake counts 5 prompt words beside 12 cache reads and
			// 10 cache writes.
			require.Equal(t, router.Usage{PromptTokens: 27, CompletionTokens: 3, CachedTokens: 12, CacheWriteTokens: 10}, out.Usage)
			require.EqualValues(t, 5, msg.Usage.InputTokens, msg.RawJSON())
			require.EqualValues(t, 12, msg.Usage.CacheReadInputTokens)
			require.EqualValues(t, 10, msg.Usage.CacheCreationInputTokens)
			require.EqualValues(t, 3, msg.Usage.OutputTokens)
		})
	}
}
