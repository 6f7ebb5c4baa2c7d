package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
)

// A continuation of an id the gateway cannot give this key is refused as
// OpenAI refuses an id it does not have: a 400 invalid_request_error with
// its words, param and code (previous_response_not_found), which clients
// read, status included, to send the whole conversation instead. Another
// key's answer is refused the same way.
func TestAnUnknownPreviousResponseIsRefusedInOpenAIsWords(t *testing.T) {
	e := newE2E(t)
	before := len(e.openai.Requests()) + len(e.anthropic.Requests())
	client := e.clients()["v1"]
	_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String("resp_nowhere"),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And then?")},
	})
	apiErr := requireStatus(t, err, http.StatusBadRequest)
	assert.Equal(t, "invalid_request_error", apiErr.Type)
	assert.Equal(t, "Previous response with id 'resp_nowhere' not found.", apiErr.Message)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Equal(t, "previous_response_not_found", apiErr.Code)
	assert.Equal(t, before, len(e.openai.Requests())+len(e.anthropic.Requests()), "no provider is asked")
}
