package upstream

import (
	"encoding/json"

	"github.com/modelrouter/modelrouter/router"
)

// wireUsage holds every provider's usage fields: OpenAI Chat Completions
// (prompt/completion tokens), Responses (input/output tokens) and
// Anthropic (input/output plus cache reads and writes and thinking).
type wireUsage struct {
	// PromptTokens is a pointer to tell Chat Completions' usage, which
	// counts the prompt in prompt_tokens, from the others, which count it
	// in input_tokens.
	PromptTokens        *int `json:"prompt_tokens"`
	CompletionTokens    int  `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
		// CacheWriteTokens is OpenRouter's count of the prompt's tokens
		// written to the provider's cache (Claude's, Gemini's);
		// CacheCreationTokens is LiteLLM's, which splits them by ttl in
		// CacheCreationTokenDetails as Anthropic's cache_creation does.
		CacheWriteTokens          int        `json:"cache_write_tokens"`
		CacheCreationTokens       int        `json:"cache_creation_tokens"`
		CacheCreationTokenDetails *ttlWrites `json:"cache_creation_token_details"`
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
	// CacheCreation splits Anthropic's cache writes by how long its cache
	// keeps them (cache_control's ttl), which it bills apart. nil where
	// the usage has no split: message_delta's, OpenRouter's.
	CacheCreation *ttlWrites `json:"cache_creation"`
	// ServerToolUse counts what Anthropic's server tools did for the
	// answer; its web searches are billed apart from the tokens.
	ServerToolUse struct {
		WebSearchRequests int `json:"web_search_requests"`
	} `json:"server_tool_use"`
}

// ttlWrites are a prompt's cache writes by how long the cache keeps them.
type ttlWrites struct {
	Ephemeral1h int `json:"ephemeral_1h_input_tokens"`
}

// withTier notes on u the processing tier the answer says served it, its
// top-level `service_tier` (OpenAI's: "default", "flex", "priority"),
// which its usage object leaves out and its price depends on.
func withTier(u router.Usage, tier json.RawMessage) router.Usage {
	var name string
	if len(tier) > 0 && json.Unmarshal(tier, &name) == nil {
		u.ServiceTier = name
	}
	return u
}

// shownUsage reads a translated answer's usage member: the provider's
// usage (at the tier the answer names), and the usage the translation
// tells the client, which is the same or, where the provider reported
// none, estimate: the gateway's, which the log bills the answer at
// (attempt.estimate), rather than 0 and 0.
func shownUsage(raw, tier json.RawMessage, estimate router.Usage) (provider, shown router.Usage) {
	u, ok := parseUsage(raw)
	if !ok {
		return u, estimate
	}
	u = withTier(u, tier)
	return u, u
}

// noUsage reports an answer's usage member that says nothing: absent or
// null (an answer whose server counts nothing).
func noUsage(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// parseUsage reads a usage object of any provider; ok is false for null,
// absent or malformed usage.
func parseUsage(raw json.RawMessage) (router.Usage, bool) {
	w, ok := parseWireUsage(raw)
	if !ok {
		return router.Usage{}, false
	}
	return w.usage(), true
}

func parseWireUsage(raw json.RawMessage) (wireUsage, bool) {
	var w wireUsage
	if noUsage(raw) || json.Unmarshal(raw, &w) != nil {
		return wireUsage{}, false
	}
	return w, true
}

// hourWrites is the usage's 1-hour cache writes, and whether it splits
// its writes at all: Anthropic's split, or the one LiteLLM passes on
// among a Chat Completions prompt's details.
func (w wireUsage) hourWrites() (int, bool) {
	switch {
	case w.CacheCreation != nil:
		return w.CacheCreation.Ephemeral1h, true
	case w.PromptTokensDetails.CacheCreationTokenDetails != nil:
		return w.PromptTokensDetails.CacheCreationTokenDetails.Ephemeral1h, true
	}
	return 0, false
}

func (w wireUsage) usage() router.Usage {
	reasoning := w.CompletionTokensDetails.ReasoningTokens + w.OutputTokensDetails.ReasoningTokens + w.OutputTokensDetails.ThinkingTokens
	u := router.Usage{
		PromptTokens:     w.InputTokens,
		CompletionTokens: w.CompletionTokens + w.OutputTokens,
		ReasoningTokens:  reasoning,
		CacheWriteTokens: w.CacheCreationInputTokens,
		WebSearches:      w.ServerToolUse.WebSearchRequests,
	}
	u.CacheWrite1hTokens, _ = w.hourWrites()
	if w.PromptTokens != nil {
		return w.chatPrompt(u)
	}
	// Anthropic's input_tokens exclude cache reads and writes; OpenAI's
	// input tokens (Responses) include cached ones. Report the OpenAI way:
	// both are part of the prompt, and Usage.Cost prices them apart.
	u.CachedTokens = w.InputTokensDetails.CachedTokens + w.CacheReadInputTokens
	u.PromptTokens += w.CacheReadInputTokens + w.CacheCreationInputTokens
	return u
}

// chatPrompt fills in the prompt of a Chat Completions usage. OpenAI's
// prompt_tokens include the cached tokens of prompt_tokens_details. LiteLLM
// and proxies like it in front of Claude add Anthropic's
// cache_read_input_tokens and cache_creation_input_tokens beside them, and
// their prompt_tokens count those too (LiteLLM's Anthropic transformation
// adds both to input_tokens, and reports the reads again as cached_tokens):
// the reads are counted once, the writes are priced apart, and neither is
// added to the prompt again. A prompt_tokens smaller than its own cache
// counts cannot include them: it is Anthropic's input_tokens passed on as
// they are, as some LiteLLM releases log it, and the cache is added to it.
// OpenRouter counts the writes among prompt_tokens too, and names them in
// prompt_tokens_details beside the reads.
func (w wireUsage) chatPrompt(u router.Usage) router.Usage {
	u.PromptTokens += *w.PromptTokens
	u.CachedTokens = max(w.PromptTokensDetails.CachedTokens, w.CacheReadInputTokens)
	u.CacheWriteTokens = max(u.CacheWriteTokens, w.PromptTokensDetails.CacheWriteTokens, w.PromptTokensDetails.CacheCreationTokens)
	if u.PromptTokens < u.CachedTokens+u.CacheWriteTokens {
		u.PromptTokens += w.CacheReadInputTokens + w.CacheCreationInputTokens
	}
	return u
}
