package upstream

import (
	"encoding/json"

	"github.com/modelrouter/modelrouter/router"
)

// wireUsage holds every provider's usage fields: OpenAI Chat Completions
// (prompt/completion tokens), Responses (input/output tokens) and
// Anthropic (input/output plus cache reads and writes and thinking).
type wireUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`

	InputTokens        int `json:"input_tokens"`
	OutputTokens       int `json:"output_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	// OutputTokensDetails is OpenAI's on Responses and Anthropic's, which
	// names the output spent thinking thinking_tokens.
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
		ThinkingTokens  int `json:"thinking_tokens"`
	} `json:"output_tokens_details"`

	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
}

// parseUsage reads a usage object of any provider; ok is false for null,
// absent or malformed usage.
func parseUsage(raw json.RawMessage) (router.Usage, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return router.Usage{}, false
	}
	var w wireUsage
	if err := json.Unmarshal(raw, &w); err != nil {
		return router.Usage{}, false
	}
	return w.usage(), true
}

func (w wireUsage) usage() router.Usage {
	reasoning := w.CompletionTokensDetails.ReasoningTokens + w.OutputTokensDetails.ReasoningTokens + w.OutputTokensDetails.ThinkingTokens
	u := router.Usage{
		PromptTokens:     w.PromptTokens + w.InputTokens,
		CompletionTokens: w.CompletionTokens + w.OutputTokens,
		ReasoningTokens:  reasoning,
		CachedTokens:     w.PromptTokensDetails.CachedTokens + w.InputTokensDetails.CachedTokens + w.CacheReadInputTokens,
		CacheWriteTokens: w.CacheCreationInputTokens,
	}
	// Anthropic's input_tokens exclude cache reads and writes; OpenAI's
	// prompt tokens include cached ones. Report the OpenAI way: both are
	// part of the prompt, and Usage.Cost prices them apart.
	u.PromptTokens += w.CacheReadInputTokens + w.CacheCreationInputTokens
	return u
}
