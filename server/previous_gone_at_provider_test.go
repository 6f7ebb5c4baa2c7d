package server

// An answer the gateway knows (its decision log says an OpenAI model wrote
// it) that OpenAI no longer has: deleted there, never stored (store:
// false), or past its retention.

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goneAtProvider makes an answer on large that OpenAI then no longer has,
// each way it can lose one, and returns its id by the way it was lost.
func goneAtProvider(t *testing.T, e *e2e, client openai.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	deleted, err := client.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err)
	require.NoError(t, client.Responses.Delete(ctx, deleted.ID))
	unstored := ask("Name a sea.")
	unstored.Store = openai.Bool(false)
	never, err := client.Responses.New(ctx, unstored, onModel("large"))
	require.NoError(t, err)
	require.False(t, e.openai.Stored(never.ID), "OpenAI keeps nothing of a store: false call")
	return map[string]string{"deleted at the provider": deleted.ID, "store false": never.ID}
}

// The continuation goes to the provider that wrote the answer, whose 400
// previous_response_not_found reaches the client as OpenAI sent it (its
// SDKs and agents read that code to send the whole conversation instead),
// streamed, polled or in the background alike. No other model is asked:
// the provider's other models cannot read the id either, and another
// provider's model would answer the turn without its conversation, a
// wrong answer with a 200.
func TestAContinuationOfAnAnswerTheProviderNoLongerHasIsItsOwn400(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	all := option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "nano", "large", "claude"}})
	for how, id := range goneAtProvider(t, e, client) {
		continuation := responses.ResponseNewParams{
			Model: "model-router", PreviousResponseID: openai.String(id),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
		}
		background := continuation
		background.Background = openai.Bool(true)
		calls := map[string]func() error{
			"json": func() error {
				_, err := client.Responses.New(ctx, continuation, all)
				return err
			},
			"stream": func() error {
				stream := client.Responses.NewStreaming(ctx, continuation, all)
				for stream.Next() {
					t.Errorf("%s: an event went out: %s", how, stream.Current().RawJSON())
				}
				return stream.Err()
			},
			"background": func() error {
				_, err := client.Responses.New(ctx, background, all)
				return err
			},
		}
		for name, call := range calls {
			t.Run(how+"/"+name, func(t *testing.T) {
				before := len(e.openai.Requests())
				beforeClaude := len(e.anthropic.Requests())
				rows := len(e.log.all())
				apiErr := requireStatus(t, call(), http.StatusBadRequest)
				assert.Equal(t, "invalid_request_error", apiErr.Type)
				assert.Equal(t, "previous_response_not_found", apiErr.Code)
				assert.Equal(t, "previous_response_id", apiErr.Param)
				assert.Equal(t, "Previous response with id '"+id+"' not found.", apiErr.Message)

				asked := e.openai.Requests()[before:]
				require.Len(t, asked, 1, "one model asked: the provider's others could not read the id either")
				assert.Equal(t, "large", asked[0].Model, "the model that wrote it")
				assert.Equal(t, beforeClaude, len(e.anthropic.Requests()), "Claude cannot read OpenAI's ids")

				rec := e.log.waitFor(t, rows+1)[rows]
				assert.Equal(t, http.StatusBadRequest, rec.Status)
				require.Len(t, rec.Attempts, 1)
				assert.Equal(t, "large", rec.Attempts[0].Model)
			})
		}
	}
}

// A read by id of an answer OpenAI no longer has is OpenAI's 404, in its
// words, for the JSON answer and for a background answer's events alike.
func TestReadingAnAnswerTheProviderNoLongerHasIsItsOwn404(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	ids := goneAtProvider(t, e, client)
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)
	job, err := client.Responses.New(ctx, bg, onModel("large"))
	require.NoError(t, err)
	require.NoError(t, client.Responses.Delete(ctx, job.ID))
	ids["a deleted background answer"] = job.ID

	for how, id := range ids {
		t.Run(how, func(t *testing.T) {
			before, beforeClaude := len(e.openai.Requests()), len(e.anthropic.Requests())
			_, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
			apiErr := requireStatus(t, err, http.StatusNotFound)
			assert.Equal(t, "invalid_request_error", apiErr.Type)
			assert.Equal(t, "Response with id '"+id+"' not found.", apiErr.Message)

			stream := client.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{StartingAfter: openai.Int(0)})
			for stream.Next() {
				t.Errorf("an event went out: %s", stream.Current().RawJSON())
			}
			apiErr = requireStatus(t, stream.Err(), http.StatusNotFound)
			assert.Equal(t, "Response with id '"+id+"' not found.", apiErr.Message)

			asked := e.openai.Requests()[before:]
			require.Len(t, asked, 2, "the provider that wrote it is asked, once a read")
			for _, r := range asked {
				assert.Equal(t, "/v1/responses/"+id, r.Path)
			}
			assert.Equal(t, beforeClaude, len(e.anthropic.Requests()))
		})
	}
}

// An answer of Claude's that the gateway no longer keeps is gone as an
// answer OpenAI no longer has is, and is refused with OpenAI's code for
// it, which clients read to send the whole conversation instead, and the
// reason in its words.
func TestAContinuationOfAClaudeAnswerNoLongerKeptIsPreviousResponseNotFound(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
	client := e.clients()["v1"]
	ctx := context.Background()
	unkept := ask("Name a river.")
	unkept.Store = openai.Bool(false)
	made, err := client.Responses.New(ctx, unkept, onModel("claude"))
	require.NoError(t, err)
	e.log.waitFor(t, 1)
	before := len(e.openai.Requests()) + len(e.anthropic.Requests())

	_, err = client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its length?")},
	})
	apiErr := requireStatus(t, err, http.StatusBadRequest)
	assert.Equal(t, "invalid_request_error", apiErr.Type)
	assert.Equal(t, "previous_response_not_found", apiErr.Code)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Contains(t, apiErr.Message, "the gateway does not keep it")
	assert.Equal(t, before, len(e.openai.Requests())+len(e.anthropic.Requests()), "no provider is asked")
}
