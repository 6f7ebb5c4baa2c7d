package server

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Before the gateway made its own ids, a kept answer of Claude's went out
// as "resp_" and Anthropic's message id without its "msg_", its items as
// msg_<that id>_<n>. Such a row, and the decision log's row naming it,
// still lead to that conversation after an upgrade (a restart): it is
// continued, read, listed, named by item_reference and deleted by the id
// its client holds.
func TestClaudeAnswersKeptUnderAnthropicDerivedIDsAreStillFoundByThem(t *testing.T) {
	kept := &memResponses{}
	withKept := func(c *Config) { c.Responses = kept }
	e := newE2E(t, withKept)
	onClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
	first := e.clients()["v1"]
	made, err := first.Responses.New(context.Background(), responses.ResponseNewParams{Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("My name is Ann.")}}, onClaude)
	require.NoError(t, err)

	// The same row as the old code wrote it: under the old id, in its
	// body and its items' ids alike; the decision log names it too.
	const oldID = "resp_01XFDUDYJgAACzvnptvVoYEL"
	e.keptWritten(t)
	row, found, err := kept.KeptResponse(context.Background(), made.ID)
	require.NoError(t, err)
	require.True(t, found)
	_, err = kept.DeleteResponse(context.Background(), made.ID)
	require.NoError(t, err)
	old := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(made.ID), []byte(oldID)) }
	row.ID, row.Input, row.Output, row.Body = oldID, old(row.Input), old(row.Output), old(row.Body)
	require.NoError(t, kept.PutResponse(context.Background(), row))
	e.log.Record(router.Record{ResponseID: oldID, Answered: "claude", KeyID: "id-" + e2eKey})

	e.start(t, withKept) // the upgrade: nothing in memory
	client := e.clients()["v1"]
	got, err := client.Responses.Get(context.Background(), oldID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, oldID, got.ID)
	assert.Equal(t, "msg_"+oldID+"_0", got.Output[0].ID)
	items, err := client.Responses.InputItems.List(context.Background(), oldID, responses.InputItemListParams{})
	require.NoError(t, err)
	require.NotEmpty(t, items.Data)

	_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{Model: "model-router",
		PreviousResponseID: openai.String(oldID),
		Input:              responses.ResponseNewParamsInputUnion{OfString: openai.String("What is my name?")}}, onClaude)
	require.NoError(t, err)
	reqs := e.anthropic.RequestsFor("claude")
	assert.Equal(t, []string{"user: My name is Ann.", "assistant: Hello from claude.", "user: What is my name?"},
		anthropicTurns(t, reqs[len(reqs)-1].Body), "continued with the old answer's conversation")

	st, _, body := postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","routing_config":{"models":["claude"]},
		"input":[{"type":"item_reference","id":"msg_`+oldID+`_0"},{"role":"user","content":"Again?"}]}`)
	require.Equal(t, http.StatusOK, st, "%s", body)
	reqs = e.anthropic.RequestsFor("claude")
	assert.Equal(t, []string{"assistant: Hello from claude.", "user: Again?"}, anthropicTurns(t, reqs[len(reqs)-1].Body),
		"the item_reference became the old answer's item")

	require.NoError(t, client.Responses.Delete(context.Background(), oldID))
	_, err = client.Responses.Get(context.Background(), oldID, responses.ResponseGetParams{})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
}
