package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Each provider reports cached prompt tokens its own way; the call is
// billed what the provider bills: cache reads at the cached price, cache
// writes at the write price, the rest of the prompt at the input price.
func TestEachWireFormatsCachedTokensAreBilledAtCachePrices(t *testing.T) {
	gpt := router.Model{InputPerMTok: 2, OutputPerMTok: 8, CachedInputPerMTok: 0.5}
	claude := router.Model{InputPerMTok: 3, OutputPerMTok: 15, CachedInputPerMTok: 0.3, CacheWritePerMTok: 3.75, CacheWrite1hPerMTok: 6}
	tests := []struct {
		name  string
		model router.Model
		usage string
		want  float64 // USD
	}{
		// OpenAI's cached tokens are part of prompt_tokens.
		{"chat completions", gpt, `{"prompt_tokens":2000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":1536}}`,
			(464*2 + 1536*0.5 + 100*8) / 1e6},
		{"responses", gpt, `{"input_tokens":2000,"output_tokens":100,"input_tokens_details":{"cached_tokens":1536}}`,
			(464*2 + 1536*0.5 + 100*8) / 1e6},
		// Anthropic's input_tokens leave out cache reads and writes.
		{"anthropic cache read", claude, `{"input_tokens":20,"output_tokens":100,"cache_read_input_tokens":9000,"cache_creation_input_tokens":0}`,
			(20*3 + 9000*0.3 + 100*15) / 1e6},
		{"anthropic cache write", claude, `{"input_tokens":20,"output_tokens":100,"cache_read_input_tokens":0,"cache_creation_input_tokens":9000}`,
			(20*3 + 9000*3.75 + 100*15) / 1e6},
		// Anthropic splits its writes by ttl; without the split (a proxy's
		// usage) every write is billed at the 5-minute price.
		{"anthropic 1-hour cache writes", claude, `{"input_tokens":20,"output_tokens":100,"cache_read_input_tokens":0,"cache_creation_input_tokens":9000,"cache_creation":{"ephemeral_5m_input_tokens":3000,"ephemeral_1h_input_tokens":6000}}`,
			(20*3 + 3000*3.75 + 6000*6 + 100*15) / 1e6},
		// LiteLLM in front of Claude: Anthropic's cache counts beside a
		// prompt_tokens that counts them already, the reads twice.
		{"chat completions with claude's cache", claude, `{"prompt_tokens":9020,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":6000},"cache_read_input_tokens":6000,"cache_creation_input_tokens":3000}`,
			(20*3 + 6000*0.3 + 3000*3.75 + 100*15) / 1e6},
		// LiteLLM in front of Claude splits the writes by ttl among the
		// prompt's details, not in Anthropic's cache_creation: the 1-hour
		// ones cost 2x the input price there too.
		{"chat completions with claude's 1-hour cache writes", claude, `{"prompt_tokens":9020,"completion_tokens":100,` +
			`"prompt_tokens_details":{"cached_tokens":6000,"cache_creation_tokens":3000,` +
			`"cache_creation_token_details":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}},` +
			`"cache_read_input_tokens":6000,"cache_creation_input_tokens":3000}`,
			(20*3 + 6000*0.3 + 1000*3.75 + 2000*6 + 100*15) / 1e6},
		// The same without the top-level counts Anthropic's shape adds.
		{"chat completions with only the details' cache writes", claude, `{"prompt_tokens":9020,"completion_tokens":100,` +
			`"prompt_tokens_details":{"cached_tokens":6000,"cache_creation_tokens":3000,` +
			`"cache_creation_token_details":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}}`,
			(20*3 + 6000*0.3 + 1000*3.75 + 2000*6 + 100*15) / 1e6},
		// OpenRouter in front of Claude: OpenAI's shape, with the writes
		// among the prompt's details.
		{"chat completions with openrouter's cache writes", claude, `{"prompt_tokens":9020,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":6000,"cache_write_tokens":3000}}`,
			(20*3 + 6000*0.3 + 3000*3.75 + 100*15) / 1e6},
		// A prompt_tokens below its cache counts is Anthropic's input_tokens.
		{"chat completions with claude's input tokens", claude, `{"prompt_tokens":31,"completion_tokens":467,"prompt_tokens_details":{"cached_tokens":0},"cache_read_input_tokens":0,"cache_creation_input_tokens":1253}`,
			(31*3 + 1253*3.75 + 467*15) / 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, ok := parseUsage(json.RawMessage(tt.usage))
			require.True(t, ok)
			assert.InDelta(t, tt.want, u.Cost(tt.model), 1e-12)
		})
	}
}

// A Claude stream reports its cache reads and writes in message_start and
// its output in message_delta: the call is billed both.
func TestClaudeStreamsCacheTokensAreBilledAtCachePrices(t *testing.T) {
	claude := router.Model{InputPerMTok: 3, OutputPerMTok: 15, CachedInputPerMTok: 0.3, CacheWritePerMTok: 3.75, CacheWrite1hPerMTok: 6}
	var s streamUsage
	s.mergeUsage(json.RawMessage(`{"input_tokens":20,"output_tokens":1,"cache_read_input_tokens":6000,"cache_creation_input_tokens":3000}`))
	s.mergeFinalUsage(json.RawMessage(`{"output_tokens":100}`))
	u, ok := s.usage()
	require.True(t, ok)
	assert.Equal(t, router.Usage{PromptTokens: 9020, CompletionTokens: 100, CachedTokens: 6000, CacheWriteTokens: 3000}, u)
	assert.InDelta(t, (20*3+6000*0.3+3000*3.75+100*15)/1e6, u.Cost(claude), 1e-12)
}

// Claude's message_start splits its cache writes by ttl; its message_delta
// repeats the input counts without the split, which must not turn the
// 1-hour writes into 5-minute ones.
func TestClaudeStreamsOneHourCacheWritesOutliveMessageDelta(t *testing.T) {
	claude := router.Model{InputPerMTok: 3, OutputPerMTok: 15, CachedInputPerMTok: 0.3, CacheWritePerMTok: 3.75, CacheWrite1hPerMTok: 6}
	var s streamUsage
	s.mergeUsage(json.RawMessage(`{"input_tokens":20,"output_tokens":1,"cache_read_input_tokens":0,"cache_creation_input_tokens":3000,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}`))
	s.mergeFinalUsage(json.RawMessage(`{"input_tokens":20,"output_tokens":100,"cache_read_input_tokens":0,"cache_creation_input_tokens":3000}`))
	u, ok := s.usage()
	require.True(t, ok)
	assert.Equal(t, router.Usage{PromptTokens: 3020, CompletionTokens: 100, CacheWriteTokens: 3000, CacheWrite1hTokens: 2000}, u)
	assert.InDelta(t, (20*3+1000*3.75+2000*6+100*15)/1e6, u.Cost(claude), 1e-12)
}
