// Package openai holds the client wire formats the gateway reads and writes
// (OpenAI's Chat Completions and Responses, and Anthropic's Messages as a
// second way in), and pure functions over them: parsing the few request fields routing needs,
// building error bodies and model_selection_details. It imports no HTTP
// framework, so everything here is testable on byte slices.
package openai

// ErrorBody is the OpenAI error envelope:
// https://platform.openai.com/docs/guides/error-codes. Every field is always
// present (null when empty) because SDKs read them without checking.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of [ErrorBody].
type ErrorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
	// Candidates says why each model was excluded when no model could serve
	// the request; omitted otherwise.
	Candidates any `json:"candidates,omitempty"`
}

// SelectionCandidate is one model's line in model_selection_details.
type SelectionCandidate struct {
	Model string `json:"model"`
	// Profile is the router-model profile that predicts the model, as in
	// RouteCandidate.
	Profile          string  `json:"profile"`
	PredictedQuality float64 `json:"predicted_quality"`
	ExpectedCostUSD  float64 `json:"expected_cost_usd"`
	Rank             int     `json:"rank"`
	Reason           string  `json:"reason"`
}

// FallbackTried is one failed upstream attempt before the answer.
type FallbackTried struct {
	Model  string `json:"model"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// SelectionDetails is the `model_selection_details` object added to every
// routed response: what the router decided and what actually happened.
// Slices are never nil so clients always see arrays.
type SelectionDetails struct {
	Mode            string               `json:"mode"`
	ChosenModel     string               `json:"chosen_model"`
	AnsweredModel   string               `json:"answered_model"`
	Candidates      []SelectionCandidate `json:"candidates"`
	FallbacksTried  []FallbackTried      `json:"fallbacks_tried"`
	SessionAffinity bool                 `json:"session_affinity"`
	RouterLatencyMS float64              `json:"router_latency_ms"`
}

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Object string      `json:"object"` // "list"
	Data   []ModelInfo `json:"data"`
}

// ModelInfo is one entry of [ModelList]. Deployments carry the models they
// can route to; underlying models name the deployment(s) they belong to.
type ModelInfo struct {
	ID      string `json:"id"`
	Object  string `json:"object"` // "model"
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
	// Kind is "deployment" for a router deployment clients address and
	// "model" for an underlying model a deployment routes to.
	Kind string `json:"kind"`
	// For deployments.
	Mode          string   `json:"mode,omitempty"`
	RouterVersion string   `json:"router_version,omitempty"`
	Models        []string `json:"models,omitempty"`
	// For underlying models.
	Provider    string   `json:"provider,omitempty"`
	Deployments []string `json:"deployments,omitempty"`
	Available   *bool    `json:"available,omitempty"`
	Unavailable string   `json:"unavailable_reason,omitempty"`
}

// RouteResponse is the body of POST /v1/route: the decision and nothing
// forwarded.
type RouteResponse struct {
	Object        string `json:"object"` // "route.decision"
	RequestID     string `json:"request_id"`
	Deployment    string `json:"deployment"`
	RouterVersion string `json:"router_version"`
	Mode          string `json:"mode"`
	ChosenModel   string `json:"chosen_model"`
	// Reason is why the chosen model won.
	Reason string `json:"reason"`
	// Fallbacks are the failover order after the chosen model.
	Fallbacks []string `json:"fallbacks"`
	// Candidates holds every model of the deployment: its predictions and
	// why it won, lost or was excluded.
	Candidates      []RouteCandidate `json:"candidates"`
	BestQuality     float64          `json:"best_quality"`
	Threshold       float64          `json:"threshold"`
	SessionAffinity bool             `json:"session_affinity"`
	// InputTokens is the prompt token estimate used for expected cost and
	// context fit; PromptSource says which text the router model read.
	InputTokens     int     `json:"input_tokens"`
	PromptSource    string  `json:"prompt_source"`
	RouterLatencyMS float64 `json:"router_latency_ms"`
	// Forwardable is false when no candidate's provider is configured: the
	// decision is what the router would do, and Note names the settings.
	Forwardable bool   `json:"forwardable"`
	Note        string `json:"note,omitempty"`
}

// RouteCandidate is one model in a [RouteResponse].
type RouteCandidate struct {
	Model string `json:"model"`
	// Profile is the router-model profile that predicts the model: its own,
	// or the stand-in the catalog names.
	Profile               string  `json:"profile"`
	Eligible              bool    `json:"eligible"`
	PredictedQuality      float64 `json:"predicted_quality"`
	PredictedOutputTokens float64 `json:"predicted_output_tokens"`
	ExpectedCostUSD       float64 `json:"expected_cost_usd"`
	Rank                  int     `json:"rank"`
	Reason                string  `json:"reason"`
}

// AnthropicErrorBody is Anthropic's error envelope, which answers errors on
// the Messages API: https://docs.anthropic.com/en/api/errors
type AnthropicErrorBody struct {
	Type  string               `json:"type"` // "error"
	Error AnthropicErrorDetail `json:"error"`
}

// AnthropicErrorDetail is the inside of [AnthropicErrorBody].
type AnthropicErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	// Code is modelrouter's own error code, as in the OpenAI shape.
	Code string `json:"code,omitempty"`
	// Candidates says why each model was excluded when no model could
	// serve the request; omitted otherwise.
	Candidates any `json:"candidates,omitempty"`
	// Details carries Anthropic's own error_code where the error is one
	// of Anthropic's that its SDKs act on; omitted otherwise.
	Details *AnthropicErrorDetails `json:"details,omitempty"`
}

// AnthropicErrorDetails is Anthropic's `error.details`.
type AnthropicErrorDetails struct {
	ErrorCode string `json:"error_code"`
}

// AnthropicModel is a model as Anthropic's GET /v1/models lists it; the
// gateway lists its deployments so, the names a Messages call may give as
// `model`.
type AnthropicModel struct {
	Type        string `json:"type"` // "model"
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	// CreatedAt is RFC 3339: the deployment's router version date.
	CreatedAt string `json:"created_at"`
	// MaxInputTokens and MaxTokens are the largest any model of the
	// deployment takes: a larger call is refused, a smaller one goes to
	// the models that fit it.
	MaxInputTokens int `json:"max_input_tokens"`
	MaxTokens      int `json:"max_tokens"`
}

// AnthropicModelList is Anthropic's page of models.
type AnthropicModelList struct {
	Data    []AnthropicModel `json:"data"`
	HasMore bool             `json:"has_more"`
	FirstID *string          `json:"first_id"`
	LastID  *string          `json:"last_id"`
}
