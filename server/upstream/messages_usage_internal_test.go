package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// OpenRouter reports a prompt's cache writes among prompt_tokens, in
// prompt_tokens_details.cache_write_tokens: a Messages client gets them as
// cache_creation_input_tokens, apart from input_tokens, as Anthropic
// reports them.
func TestMessagesAnswerReportsOpenRouterCacheWritesApart(t *testing.T) {
	raw := []byte(`{"id":"gen-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
		"usage":{"prompt_tokens":9020,"completion_tokens":2,"total_tokens":9022,"prompt_tokens_details":{"cached_tokens":6000,"cache_write_tokens":3000}}}`)
	body, usage, err := chatToMessage(raw, router.Model{ID: "m-id", Name: "m"}, nil, nil, router.Usage{})
	require.NoError(t, err)
	var msg struct {
		Usage map[string]int `json:"usage"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	require.Equal(t, map[string]int{"input_tokens": 20, "cache_read_input_tokens": 6000, "cache_creation_input_tokens": 3000, "output_tokens": 2}, msg.Usage)
	require.Equal(t, router.Usage{PromptTokens: 9020, CompletionTokens: 2, CachedTokens: 6000, CacheWriteTokens: 3000}, usage)
}
