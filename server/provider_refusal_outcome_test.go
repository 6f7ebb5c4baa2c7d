package server

// What the client and the decision log get when providers refuse the
// gateway itself, and where a provider's 404 stays the client's.

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Every provider rejects the gateway's key: the client's key and request
// were fine, so it gets a 502 naming each model's refusal (not a 401 its SDK
// would blame on the client's key), and the log row reads as any call no
// model answered. Asking again meets the same refusals, so the SDK, which
// retries a 502 by default, is told not to.
func TestEveryProviderRefusingTheGatewayIsA502NamingEachRefusal(t *testing.T) {
	e := newE2E(t)
	e.openai.Key, e.anthropic.Key = "sk-upstream-openai-rotated", "sk-upstream-anthropic-rotated"
	subset := option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "claude"}})

	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(2))
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, subset)
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Equal(t, router.EUpstream, apiErr.Code)
	assert.Contains(t, apiErr.Message, "mini (HTTP 401: invalid api key)")
	assert.Contains(t, apiErr.Message, "claude (HTTP 401: invalid api key)")
	assert.NotContains(t, apiErr.Message, "sk-upstream", "provider keys never reach clients")
	assert.Equal(t, "false", apiErr.Response.Header.Get("X-Should-Retry"))
	assert.Len(t, e.openai.RequestsFor("mini"), 1, "the SDK asked once")

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, http.StatusBadGateway, rec.Status)
	assert.Equal(t, router.EUpstream, rec.ErrorCode)
	assert.Empty(t, rec.Answered, "no model answered")
	require.Len(t, rec.Attempts, 2)
	for _, a := range rec.Attempts {
		assert.Equal(t, http.StatusUnauthorized, a.Status, a.Model)
	}

	// The Messages API gets the same 502 in Anthropic's shape.
	messages := e.anthropicClients()["v1"]
	_, err = messages.Messages.New(context.Background(), helloParams("hi"), onlyModels("mini", "claude"))
	var aErr *anthropic.Error
	require.ErrorAs(t, err, &aErr)
	assert.Equal(t, http.StatusBadGateway, aErr.StatusCode)
	assert.Equal(t, "false", aErr.Response.Header.Get("X-Should-Retry"))
	assert.Contains(t, aErr.RawJSON(), `"type":"api_error"`)
	assert.Contains(t, aErr.RawJSON(), "claude (HTTP 401: invalid api key)")
}

// A deployment whose models' servers have no Responses API (each answers
// /v1/responses with its router's 404) cannot answer a Responses call
// however often it is sent: the 502 says so and tells the SDK, which
// retries a 502 by default, not to send it again.
func TestAResponsesCallToADeploymentWithoutTheResponsesAPIIsNotRetried(t *testing.T) {
	e := newE2E(t)
	for _, m := range []string{"mini", "nano"} {
		e.openai.Set(m, upstreamtest.Behavior{FailStatus: http.StatusNotFound, FailBody: `{"detail":"Not Found"}`})
	}
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(2))
	_, err := client.Responses.New(context.Background(), ask("hi"),
		option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "nano"}}))
	apiErr := requireStatus(t, err, http.StatusBadGateway)
	assert.Contains(t, apiErr.Message, "none of the models this call could go to serves the Responses API at its base URL")
	assert.Equal(t, "false", apiErr.Response.Header.Get("X-Should-Retry"))
	assert.Len(t, e.openai.RequestsFor("mini"), 1, "the SDK asked once")
}

// A call that routing_config.models narrows to a model without the
// Responses API is told so of the models it could go to, not of the
// deployment, whose other models may serve it.
func TestAResponsesCallNarrowedToAModelWithoutTheResponsesAPIIsToldOfItsModels(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusNotFound, FailBody: `{"detail":"Not Found"}`})
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
	_, err := client.Responses.New(context.Background(), ask("hi"),
		option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini"}}))
	apiErr := requireStatus(t, err, http.StatusBadGateway)
	assert.NotContains(t, apiErr.Message, "of this deployment", "nano serves the Responses API")
	assert.Contains(t, apiErr.Message, "none of the models this call could go to serves the Responses API at its base URL")
	assert.Equal(t, "false", apiErr.Response.Header.Get("X-Should-Retry"))
}
