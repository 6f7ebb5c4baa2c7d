package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onModel narrows a call's routing to one model.
func onModel(m string) option.RequestOption {
	return option.WithJSONSet("routing_config", map[string]any{"models": []string{m}})
}

func ask(text string) responses.ResponseNewParams {
	return responses.ResponseNewParams{Model: "model-router", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(text)}}
}

func requireStatus(t *testing.T, err error, status int) *openai.Error {
	t.Helper()
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, status, apiErr.StatusCode, apiErr.Message)
	return apiErr
}

// An answer OpenAI stores is read, listed and deleted through the gateway
// by its id alone, on every route an SDK may use: the gateway knows which
// model wrote it and asks that model's provider.
func TestE2EReadsListsAndDeletesAStoredAnswerByID(t *testing.T) {
	e := newE2E(t)
	for name, client := range e.clients() {
		if name == "azure" {
			continue // Azure's SDK reads answers under /openai/v1, the alias below
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			made, err := client.Responses.New(ctx, ask("Name a river."), onModel("large"))
			require.NoError(t, err)

			got, err := client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
			require.NoError(t, err)
			assert.Equal(t, made.ID, got.ID)
			assert.Equal(t, "large", got.Model, "named by its catalog id, as when it was made")
			assert.Equal(t, made.OutputText(), got.OutputText())
			assert.NotContains(t, got.JSON.ExtraFields, "model_selection_details", "a read decides nothing")

			items, err := client.Responses.InputItems.List(ctx, made.ID, responses.InputItemListParams{})
			require.NoError(t, err)
			require.Len(t, items.Data, 1)
			assert.Contains(t, items.Data[0].RawJSON(), `"text":"Name a river."`)

			require.NoError(t, client.Responses.Delete(ctx, made.ID))
			assert.False(t, e.openai.Stored(made.ID))
			_, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
			requireStatus(t, err, http.StatusNotFound) // the provider's own 404, passed on
		})
	}
	var deletes int
	for _, r := range e.openai.Requests() {
		if r.Method == http.MethodDelete {
			deletes++
			assert.Equal(t, "large", r.Model)
			assert.Equal(t, "Bearer sk-upstream-openai", r.Header.Get("Authorization"), "the provider's key, not the client's")
		}
	}
	assert.Equal(t, 2, deletes)
}

// A background answer is polled, streamed and cancelled through the
// gateway, as at OpenAI.
func TestE2EBackgroundAnswerIsPolledStreamedAndCancelled(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)
	made, err := client.Responses.New(ctx, bg,
		option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude", "mini"}}))
	require.NoError(t, err)
	assert.Equal(t, responses.ResponseStatusQueued, made.Status)
	assert.Equal(t, "mini", made.Model)
	reasons := map[string]any{}
	for _, c := range selection(t, extraOf(made.JSON.ExtraFields))["candidates"].([]any) {
		reasons[c.(map[string]any)["model"].(string)] = c.(map[string]any)["reason"]
	}
	assert.Contains(t, reasons["claude"], "cannot carry background", "excluded before routing: Claude has no background mode")

	var got *responses.Response
	for range 3 {
		got, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		if got.Status == responses.ResponseStatusCompleted {
			break
		}
	}
	require.Equal(t, responses.ResponseStatusCompleted, got.Status)
	assert.Equal(t, "Hello from mini.", got.OutputText())
	assert.Equal(t, "mini", got.Model)

	stream := client.Responses.GetStreaming(ctx, made.ID, responses.ResponseGetParams{StartingAfter: openai.Int(0)})
	var types []string
	for stream.Next() {
		ev := stream.Current()
		types = append(types, ev.Type)
		assert.Greater(t, ev.SequenceNumber, int64(0), "resumed after the event the client had")
	}
	require.NoError(t, stream.Err())
	require.NotEmpty(t, types)
	assert.Equal(t, "response.completed", types[len(types)-1])

	other, err := client.Responses.New(ctx, bg, onModel("mini"))
	require.NoError(t, err)
	cancelled, err := client.Responses.Cancel(ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)
	assert.Equal(t, "mini", cancelled.Model)
}

// Claude's answers, which the gateway keeps, are read, listed and deleted
// from its store; they are never background answers.
func TestE2EKeptClaudeAnswerByID(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	ctx := context.Background()
	made, err := client.Responses.New(ctx, ask("Name a mountain."), onModel("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", made.Model)
	sent := len(e.anthropic.Requests())

	got, err := client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, made.ID, got.ID)
	assert.Equal(t, "claude", got.Model)
	assert.Equal(t, made.OutputText(), got.OutputText())
	assert.Equal(t, made.Usage.OutputTokens, got.Usage.OutputTokens)

	items, err := client.Responses.InputItems.List(ctx, made.ID, responses.InputItemListParams{})
	require.NoError(t, err)
	require.Len(t, items.Data, 1)
	assert.Equal(t, "message", items.Data[0].Type)
	assert.Contains(t, items.Data[0].RawJSON(), `{"text":"Name a mountain.","type":"input_text"}`)
	assert.NotEmpty(t, items.Data[0].ID)

	_, err = client.Responses.Cancel(ctx, made.ID)
	assert.Contains(t, requireStatus(t, err, http.StatusBadRequest).Message, "background")
	stream := client.Responses.GetStreaming(ctx, made.ID, responses.ResponseGetParams{})
	for stream.Next() {
	}
	requireStatus(t, stream.Err(), http.StatusBadRequest)

	require.NoError(t, client.Responses.Delete(ctx, made.ID))
	assert.Zero(t, kept.len())
	_, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	assert.Contains(t, requireStatus(t, err, http.StatusNotFound).Message, "does not keep it")
	assert.Len(t, e.anthropic.Requests(), sent, "nothing about a kept answer goes to Anthropic")
}

func TestStoredAnswerRefusals(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	_, err := client.Responses.Get(ctx, "resp_never_made", responses.ResponseGetParams{})
	apiErr := requireStatus(t, err, http.StatusNotFound)
	assert.Contains(t, apiErr.Message, "no call through this gateway with this key produced it")
	assert.Empty(t, e.openai.Requests(), "an id the gateway never saw is asked of no provider")

	err = client.Responses.Delete(ctx, strings.Repeat("r", 257))
	requireStatus(t, err, http.StatusBadRequest)

	anonymous := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey("sk-not-a-key"), option.WithMaxRetries(0))
	_, err = anonymous.Responses.Get(ctx, "resp_never_made", responses.ResponseGetParams{})
	requireStatus(t, err, http.StatusUnauthorized)

	// Claude's answer, not kept (no store here): nothing stores it.
	made, err := client.Responses.New(ctx, ask("hi"), onModel("claude"))
	require.NoError(t, err)
	_, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	assert.Contains(t, requireStatus(t, err, http.StatusNotFound).Message, "whose provider stores no answers")
}

// After a restart, a continuation still reaches the model that wrote the
// answer it continues (the decision log says which), though routing alone
// would pick another; the answer is still read by its id.
func TestE2EContinuationAfterARestartReachesTheModelThatWroteIt(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Answers = e2eLogOf(c) })
	ctx := context.Background()
	first := e.clients()["v1"]
	made, err := first.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err)
	e.log.waitFor(t, 1)

	e.start(t, func(c *Config) { c.Answers = e2eLogOf(c) }) // a new process: nothing in memory
	client := e.clients()["v1"]
	next, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
	})
	require.NoError(t, err)
	assert.Equal(t, "large", next.Model, "routed alone, Balanced picks mini")
	assert.Equal(t, true, selection(t, extraOf(next.JSON.ExtraFields))["session_affinity"])

	got, err := client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, "large", got.Model)
}

// e2eLogOf is the test's decision log as the gateway's AnswerLog.
func e2eLogOf(c *Config) AnswerLog { return c.Log.(*recordLog) }

type failingAnswers struct{}

func (failingAnswers) AnsweredBy(context.Context, string) (Answer, error) {
	return Answer{}, errors.New("database is locked")
}

// Without client keys the decision log only helps a continuation find its
// model: when it fails, the call is routed as it would be without it. With
// keys it also says whose answer it is, and a continuation that cannot be
// checked is refused: the provider would continue anyone's.
func TestContinuationWhenTheAnswerLogFails(t *testing.T) {
	for _, requireKeys := range []bool{false, true} {
		t.Run(fmt.Sprintf("require_keys=%t", requireKeys), func(t *testing.T) {
			opts := func(c *Config) { c.Answers, c.RequireKeys = failingAnswers{}, requireKeys }
			e := newE2E(t, opts)
			ctx := context.Background()
			client := e.clients()["v1"]
			made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("mini"))
			require.NoError(t, err)
			e.start(t, opts) // nothing in memory
			client = e.clients()["v1"]
			sent := len(e.openai.Requests())
			next, err := client.Responses.New(ctx, responses.ResponseNewParams{
				Model: "model-router", PreviousResponseID: openai.String(made.ID),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
			})
			if requireKeys {
				requireStatus(t, err, http.StatusInternalServerError)
				assert.Equal(t, sent, len(e.openai.Requests()))
			} else {
				require.NoError(t, err)
				assert.Equal(t, "mini", next.Model)
			}
			_, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
			requireStatus(t, err, http.StatusInternalServerError) // a read has nowhere else to look
		})
	}
}

// With client keys, an id the gateway has no owner for (never made here,
// or its row lost) is not continued: it might be another key's.
func TestContinuationOfAnAnswerWithNoOwner(t *testing.T) {
	for _, requireKeys := range []bool{false, true} {
		t.Run(fmt.Sprintf("require_keys=%t", requireKeys), func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.RequireKeys = requireKeys })
			made, err := upstreamStored(t, e)
			require.NoError(t, err)
			client := e.clients()["v1"]
			_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{
				Model: "model-router", PreviousResponseID: openai.String(made),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
			}, onModel("mini"))
			if requireKeys {
				apiErr := requireStatus(t, err, http.StatusBadRequest) // as OpenAI refuses an id it does not have
				assert.Equal(t, "previous_response_id", apiErr.Param)
			} else {
				require.NoError(t, err, "no keys: the provider decides")
			}
		})
	}
}

// upstreamStored makes an answer at the OpenAI fake directly, not through
// the gateway.
func upstreamStored(t *testing.T, e *e2e) (string, error) {
	t.Helper()
	c := openai.NewClient(option.WithBaseURL(e.openai.URL+"/"), option.WithAPIKey("sk-upstream-openai"), option.WithMaxRetries(0))
	r, err := c.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "mini", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("made elsewhere")},
	})
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// An answer kept before the answer itself was stored is read back from its
// replayed output: its text and its calls.
func TestKeptAnswerFromBeforeTheBodyWasKept(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	ctx := context.Background()
	require.NoError(t, kept.PutResponse(ctx, StoredResponse{ID: "resp_legacy", Model: "claude",
		Input:   json.RawMessage(`[{"role":"user","content":"Name a mountain."}]`),
		Output:  json.RawMessage(`[{"role":"assistant","content":"Mount Fuji."},{"type":"function_call","call_id":"toolu_1","name":"height","arguments":"{\"of\":\"Fuji\"}"}]`),
		Created: time.Unix(1700000000, 0)}))
	client := e.clients()["v1"]
	got, err := client.Responses.Get(ctx, "resp_legacy", responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, "Mount Fuji.", got.OutputText())
	require.Len(t, got.Output, 2)
	call := got.Output[1].AsFunctionCall()
	assert.Equal(t, "toolu_1", call.CallID)
	assert.JSONEq(t, `{"of":"Fuji"}`, call.Arguments)
	assert.Equal(t, "claude", got.Model)
	assert.EqualValues(t, 1700000000, got.CreatedAt)
}

// An answer belongs to the key that made it: to another key it is as
// unknown as an answer never made, for reading, listing, deleting,
// cancelling and continuing alike, whether a provider stores it or the
// gateway keeps it.
func TestE2EAnswersBelongToTheKeyThatMadeThem(t *testing.T) {
	const otherKey = "sk-other-team"
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) {
		c.Keys = keyStore{e2eKey: true, otherKey: true}
		c.Responses = kept
	})
	ctx := context.Background()
	mine := e.clients()["v1"]
	theirs := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(otherKey), option.WithMaxRetries(0))
	for _, model := range []string{"large", "claude"} {
		t.Run(model, func(t *testing.T) {
			made, err := mine.Responses.New(ctx, ask("my secret plan"), onModel(model))
			require.NoError(t, err)
			sent := len(e.openai.Requests()) + len(e.anthropic.Requests())

			_, err = theirs.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
			assert.Contains(t, requireStatus(t, err, http.StatusNotFound).Message, "with this key")
			_, err = theirs.Responses.InputItems.List(ctx, made.ID, responses.InputItemListParams{})
			requireStatus(t, err, http.StatusNotFound)
			requireStatus(t, theirs.Responses.Delete(ctx, made.ID), http.StatusNotFound)
			_, err = theirs.Responses.Cancel(ctx, made.ID)
			requireStatus(t, err, http.StatusNotFound)
			_, err = theirs.Responses.New(ctx, responses.ResponseNewParams{
				Model: "model-router", PreviousResponseID: openai.String(made.ID),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("and then?")},
			})
			apiErr := requireStatus(t, err, http.StatusBadRequest) // as OpenAI refuses an id it does not have
			assert.Equal(t, "previous_response_id", apiErr.Param)
			assert.Equal(t, sent, len(e.openai.Requests())+len(e.anthropic.Requests()), "nothing of another key's answer reaches a provider")

			got, err := mine.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
			require.NoError(t, err, "still there for its own key")
			assert.Equal(t, model, got.Model)
			next, err := mine.Responses.New(ctx, responses.ResponseNewParams{
				Model: "model-router", PreviousResponseID: openai.String(made.ID),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("and then?")},
			})
			require.NoError(t, err)
			assert.Equal(t, model, next.Model)
		})
	}
	answered := 0
	// Per model: the answer, the other key's refused continuation, ours.
	for _, r := range e.log.waitFor(t, 6) {
		if r.ResponseID != "" {
			answered++
			assert.Equal(t, "id-"+e2eKey, r.KeyID, "the decision log says whose call it was")
		}
	}
	assert.Equal(t, 4, answered)
}
