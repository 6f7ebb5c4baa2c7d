package router

import "time"

// Usage is what an upstream billed for one answer.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	ReasoningTokens  int `json:"reasoning_tokens"`
	CachedTokens     int `json:"cached_tokens"`
	// CacheWriteTokens are prompt tokens the provider wrote to its prompt
	// cache (Anthropic's cache_creation_input_tokens), part of
	// PromptTokens. They are priced, not logged: cost_usd carries them.
	CacheWriteTokens int `json:"cache_write_tokens,omitempty"`
	// CacheWrite1hTokens are those of CacheWriteTokens written to a cache
	// that keeps them an hour (Anthropic's
	// cache_creation.ephemeral_1h_input_tokens), which cost more than
	// the 5-minute writes; 0 where the provider does not split its writes.
	CacheWrite1hTokens int `json:"cache_write_1h_tokens,omitempty"`
	// ServiceTier is the processing tier the provider says served the
	// answer (OpenAI's `service_tier`: "default", "flex", "priority"),
	// which may differ from the one asked for; "" where it says none.
	// Priced, not logged: cost_usd carries it.
	ServiceTier string `json:"service_tier,omitempty"`
	// WebSearches are the searches the provider's server-side web search
	// tool ran for the answer (Anthropic's
	// server_tool_use.web_search_requests, the web_search_call items of
	// an OpenAI Responses answer's output), billed apart from the tokens.
	// Priced, not logged: cost_usd carries them.
	WebSearches int `json:"web_search_requests,omitempty"`
	// WebSearchPreview: the searches came from OpenAI's web_search_preview
	// tool, priced apart for some models (Model.WebSearchPreviewPer1K):
	// the only web search tool the answer says it was offered.
	WebSearchPreview bool `json:"web_search_preview,omitempty"`
}

// Cost is the USD cost of usage at m's prices. Reasoning tokens are part of
// CompletionTokens in the OpenAI usage shape, so they are not added twice.
// Cached (read) and cache-written tokens are part of PromptTokens and are
// billed at the model's cache prices instead of its input price, as
// providers bill them, 1-hour writes at their own price; counts past the
// prompt (a provider that reports more cached tokens than prompt tokens)
// are not billed twice. A prompt past m's long-context threshold bills
// the whole call at those prices (Model.PricedFor); an answer served at a
// flex or priority tier, at that tier's (Model.PricedAtTier), whatever
// the prompt's length: the provider decided by its own estimate of the
// prompt, and its answer names the tier it served, and billed, the call
// at. Web
// searches are billed per search, whatever the prompt or tier, those of
// a web_search_preview tool at its price where m has one.
func (u Usage) Cost(m Model) float64 {
	prompt := max(u.PromptTokens, 0)
	m = m.PricedAtTier(u.ServiceTier).PricedFor(prompt)
	read := min(max(u.CachedTokens, 0), prompt)
	written := min(max(u.CacheWriteTokens, 0), prompt-read)
	hour := min(max(u.CacheWrite1hTokens, 0), written)
	uncached := prompt - read - written
	tokens := (float64(uncached)*m.InputPerMTok + float64(read)*m.CacheReadPrice() +
		float64(written-hour)*m.CacheWritePrice() + float64(hour)*m.CacheWrite1hPrice() +
		float64(u.CompletionTokens)*m.OutputPerMTok) / 1e6
	search := m.WebSearchPer1K
	if u.WebSearchPreview && m.WebSearchPreviewPer1K > 0 {
		search = m.WebSearchPreviewPer1K
	}
	return tokens + float64(max(u.WebSearches, 0))*search/1000
}

// Attempt is one upstream call made for a request (the chosen model, then
// fallbacks on retryable errors).
type Attempt struct {
	Model  string `json:"model"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// Shown, when set, is Error as the client is shown it: a network
	// failure's kind, without the provider's address Error names for the
	// operator. Not logged.
	Shown   string        `json:"-"`
	Latency time.Duration `json:"latency_ns"`
	// NotSent: the attempt ended before a request went out (the
	// translation refused it, its provider asked to wait, another call
	// was probing it): nothing reached the provider, nothing was billed.
	NotSent bool `json:"not_sent,omitempty"`
	// UpstreamRequestID is the provider's own id for the request, from
	// its response headers (OpenAI's x-request-id, Anthropic's
	// request-id, Azure's apim-request-id): what its support asks for
	// when a call is escalated. Empty when no response came or it sent
	// none.
	UpstreamRequestID string `json:"upstream_request_id,omitempty"`
}

// ClientError is how the attempt failed, as the client may read it.
func (a Attempt) ClientError() string {
	if a.Shown != "" {
		return a.Shown
	}
	return a.Error
}

// Record is one row of the decision log: the decision and its outcome.
type Record struct {
	RequestID string
	Time      time.Time
	API       string // "chat.completions", "responses", "route"
	Stream    bool
	// Answers is how many answers the call asked for (Chat Completions'
	// n; 0 or 1: one). Usage counts them all, as the provider billed
	// them; one answer's length is Usage's share of each.
	Answers int
	// PromptHash is HashPrompt of the routed text (HMAC-SHA256 under the
	// operator's key, else SHA-256); PromptText is kept only when the
	// operator configures it.
	PromptHash string
	PromptText string
	// RouterModel is the router model's version (its content hash).
	RouterModel string
	Decision    Decision
	// DeploymentFound: Decision.Deployment names a deployment that exists
	// (else it is the name the client asked for, or empty).
	DeploymentFound bool
	// Answered is the model whose response the client got: its answer, or
	// its own 4xx passed through ("" when no model's response reached the
	// client). Whether there was an answer also takes Status (see the
	// store's feedback and report).
	Answered  string
	Attempts  []Attempt
	Status    int
	ErrorCode string
	Usage     Usage
	CostUSD   float64
	// UsageEstimated: an answer came but its provider reported no usage
	// (a client that left mid-stream, a server that ignores
	// stream_options.include_usage); Usage and CostUSD are estimates.
	UsageEstimated bool
	// ResponseID is the id of a Responses API answer ("" otherwise): what
	// GET /v1/responses/{id} and previous_response_id look up.
	ResponseID string
	// PreviousResponseID is the answer a Responses call continued (its
	// previous_response_id; "" for none): a read of ResponseID by id names
	// it where the provider, which got the conversation whole, does not.
	PreviousResponseID string
	// TraceID is the W3C trace id (32 lowercase hex digits) of the
	// client's traceparent, which went on to the providers ("" when the
	// call came without a valid one).
	TraceID string
	// KeyID is the id of the client key the call came with ("" when the
	// gateway needs none).
	KeyID string
	// OwnedIDs are ids of state the provider stores that the call gave or
	// first used for its key (a Responses answer's output items, the
	// conversation it was added to), so no other key names them.
	OwnedIDs []string
	// DecideLatency is the routing decision's time; FirstByte the time to
	// the upstream's first byte; Total the whole request.
	DecideLatency time.Duration
	FirstByte     time.Duration
	Total         time.Duration
}

// DecisionLog receives records. Record must not block the request path.
type DecisionLog interface {
	Record(Record)
}
