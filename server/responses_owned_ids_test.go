package server

// Output items and conversations OpenAI stores belong to the client key
// the gateway gave them to: another key cannot name them through the
// gateway's provider key.

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const otherTeamKey = "sk-other-team"

// newTwoKeyE2E is the e2e gateway with two client keys, recording owned
// ids in its decision log (which outlives a restart).
func newTwoKeyE2E(t *testing.T) (e *e2e, opts func(*Config), mine, theirs func() *openai.Client) {
	t.Helper()
	opts = func(c *Config) {
		c.Keys = keyStore{e2eKey: true, otherTeamKey: true}
		c.Owners = c.Log.(*recordLog)
	}
	e = newE2E(t, opts)
	mine = func() *openai.Client { c := e.clients()["v1"]; return &c }
	theirs = func() *openai.Client {
		c := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(otherTeamKey), option.WithMaxRetries(0))
		return &c
	}
	return e, opts, mine, theirs
}

// referring asks a question after an earlier answer's item, by reference,
// as the Vercel AI SDK sends it with store on.
func referring(itemID string) responses.ResponseNewParams {
	return responses.ResponseNewParams{Model: "model-router", Input: responses.ResponseNewParamsInputUnion{
		OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfItemReference(itemID),
			responses.ResponseInputItemParamOfMessage("and then?", responses.EasyInputMessageRoleUser),
		}}}
}

func TestItemReferenceToAnotherKeysItemIsNotFound(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "streamed"}[streamed], func(t *testing.T) {
			e, opts, mine, theirs := newTwoKeyE2E(t)
			ctx := context.Background()
			item := outputItemOf(t, mine(), streamed)
			e.log.waitFor(t, 1)

			for _, restarted := range []bool{false, true} {
				if restarted {
					e.start(t, opts) // only the decision log remembers
				}
				sent := len(e.openai.Requests())
				_, err := theirs().Responses.New(ctx, referring(item))
				apiErr := requireStatus(t, err, http.StatusNotFound)
				assert.Equal(t, "input", apiErr.Param)
				assert.Equal(t, "Item with id '"+item+"' not found.", apiErr.Message, "OpenAI's words for an item it does not have")
				assert.Equal(t, sent, len(e.openai.Requests()), "nothing of another key's item reaches a provider (restarted: %t)", restarted)

				_, err = mine().Responses.New(ctx, referring(item))
				require.NoError(t, err, "the key the item was given to still names it (restarted: %t)", restarted)
			}

			_, err := theirs().Responses.New(ctx, referring("msg_made_elsewhere"))
			require.NoError(t, err, "an id the gateway never gave a key is passed on")
		})
	}
}

// outputItemOf asks "large" a question, streamed or not, and returns the
// id of an output item the answer gave.
func outputItemOf(t *testing.T, client *openai.Client, streamed bool) string {
	t.Helper()
	ctx := context.Background()
	var item string
	if streamed {
		s := client.Responses.NewStreaming(ctx, ask("my secret plan"), onModel("large"))
		for s.Next() {
			if ev := s.Current(); ev.Type == "response.output_item.added" {
				item = ev.Item.ID
			}
		}
		require.NoError(t, s.Err())
	} else {
		made, err := client.Responses.New(ctx, ask("my secret plan"), onModel("large"))
		require.NoError(t, err)
		require.NotEmpty(t, made.Output)
		item = made.Output[0].ID
	}
	require.NotEmpty(t, item)
	return item
}

// sendingBack asks a question after an earlier answer's output items,
// sent back by value as the Go SDK turns them into input (ToParam: each
// item as OpenAI gave it, its id included), a tool call with its output.
func sendingBack(items ...responses.ResponseOutputItemUnion) responses.ResponseNewParams {
	var in responses.ResponseInputParam
	for _, item := range items {
		switch item.Type {
		case "reasoning":
			p := item.AsReasoning().ToParam()
			in = append(in, responses.ResponseInputItemUnionParam{OfReasoning: &p})
		case "message":
			p := item.AsMessage().ToParam()
			in = append(in, responses.ResponseInputItemUnionParam{OfOutputMessage: &p})
		case "function_call":
			call := item.AsFunctionCall()
			p := call.ToParam()
			out := responses.ResponseInputItemParamOfFunctionCallOutput(`{"ok":true}`)
			out.OfFunctionCallOutput.CallID = openai.String(call.CallID)
			in = append(in, responses.ResponseInputItemUnionParam{OfFunctionCall: &p}, out)
		}
	}
	in = append(in, responses.ResponseInputItemParamOfMessage("and then?", responses.EasyInputMessageRoleUser))
	return responses.ResponseNewParams{Model: "model-router", Input: responses.ResponseNewParamsInputUnion{OfInputItemList: in}}
}

// OpenAI reads an item sent back with its content by its id too (a
// reasoning item without its encrypted_content is read from its store),
// so another key's items are refused sent by value as by item_reference.
func TestAnotherKeysItemsSentBackByValueAreNotFound(t *testing.T) {
	e, opts, mine, theirs := newTwoKeyE2E(t)
	ctx := context.Background()
	e.openai.Set("large", upstreamtest.Behavior{Thinking: "The plan is to launch on Monday.", TextFirst: true,
		ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "launch", Arguments: `{"day":"Monday"}`}})
	made, err := mine().Responses.New(ctx, ask("my secret plan"), onModel("large"))
	require.NoError(t, err)
	var kinds []string
	for _, item := range made.Output {
		kinds = append(kinds, item.Type)
	}
	require.Equal(t, []string{"reasoning", "message", "function_call"}, kinds)
	e.log.waitFor(t, 1)

	for _, restarted := range []bool{false, true} {
		if restarted {
			e.start(t, opts) // only the decision log remembers
		}
		for _, item := range made.Output {
			sent := len(e.openai.Requests())
			_, err := theirs().Responses.New(ctx, sendingBack(item))
			apiErr := requireStatus(t, err, http.StatusNotFound)
			assert.Equal(t, "input", apiErr.Param)
			assert.Equal(t, "Item with id '"+item.ID+"' not found.", apiErr.Message, "%s item (restarted: %t)", item.Type, restarted)
			assert.Equal(t, sent, len(e.openai.Requests()), "nothing of another key's %s item reaches a provider (restarted: %t)", item.Type, restarted)
		}
		_, err = mine().Responses.New(ctx, sendingBack(made.Output...))
		require.NoError(t, err, "the key the items were given to sends them back (restarted: %t)", restarted)
	}

	elsewhere := responses.ResponseNewParams{Model: "model-router", Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
		responses.ResponseInputItemParamOfReasoning("rs_made_elsewhere", []responses.ResponseReasoningItemSummaryParam{{Text: "thought"}}),
		responses.ResponseInputItemParamOfMessage("and then?", responses.EasyInputMessageRoleUser),
	}}}
	_, err = theirs().Responses.New(ctx, elsewhere)
	require.NoError(t, err, "an id the gateway never gave a key is passed on")
}

// A background answer's items come to its key only by reading it: the
// read records them.
func TestItemsOfABackgroundAnswerReadByItsKeyAreItsKeys(t *testing.T) {
	_, _, mine, theirs := newTwoKeyE2E(t)
	ctx := context.Background()
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)
	made, err := mine().Responses.New(ctx, bg, onModel("mini"))
	require.NoError(t, err)
	require.Empty(t, made.Output, "queued: no item yet")
	var got *responses.Response
	for range 3 {
		got, err = mine().Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		if got.Status == responses.ResponseStatusCompleted {
			break
		}
	}
	require.NotEmpty(t, got.Output)

	_, err = theirs().Responses.New(ctx, referring(got.Output[0].ID))
	requireStatus(t, err, http.StatusNotFound)
	_, err = mine().Responses.New(ctx, referring(got.Output[0].ID))
	require.NoError(t, err)
}

// The gateway makes no conversations: the first key to use one through
// it keeps it, and another key's call to it is refused as OpenAI refuses
// an unknown one.
func TestConversationBelongsToTheFirstKeyThatUsedIt(t *testing.T) {
	e, _, mine, theirs := newTwoKeyE2E(t)
	ctx := context.Background()
	inConversation := func(id, text string) responses.ResponseNewParams {
		p := ask(text)
		p.Conversation = responses.ResponseNewParamsConversationUnion{OfString: openai.String(id)}
		return p
	}
	_, err := mine().Responses.New(ctx, inConversation("conv_team_a", "my secret plan"), onModel("large"))
	require.NoError(t, err)
	e.log.waitFor(t, 1)

	sent := len(e.openai.Requests())
	_, err = theirs().Responses.New(ctx, inConversation("conv_team_a", "what was the plan?"))
	apiErr := requireStatus(t, err, http.StatusNotFound)
	assert.Equal(t, "conversation", apiErr.Param)
	assert.Equal(t, "Conversation with id 'conv_team_a' not found.", apiErr.Message)
	assert.Equal(t, sent, len(e.openai.Requests()), "another key's conversation reaches no provider")

	_, err = mine().Responses.New(ctx, inConversation("conv_team_a", "and then?"))
	require.NoError(t, err)
	_, err = theirs().Responses.New(ctx, inConversation("conv_team_b", "hello"))
	require.NoError(t, err, "a conversation no key used yet is passed on")
}

// Without client keys there is no one to tell apart: every call names
// every id.
func TestOwnedIDsAreNotCheckedWithoutKeys(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.RequireKeys = false; c.Owners = c.Log.(*recordLog) })
	client := e.clients()["v1"]
	ctx := context.Background()
	made, err := client.Responses.New(ctx, ask("hello"), onModel("large"))
	require.NoError(t, err)
	e.log.waitFor(t, 1)
	other := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(otherTeamKey), option.WithMaxRetries(0))
	_, err = other.Responses.New(ctx, referring(made.Output[0].ID))
	require.NoError(t, err)
	_, err = other.Responses.New(ctx, sendingBack(made.Output...))
	require.NoError(t, err, "nor sent back by value")
}

// An answer made before keys were required is open to every key: one key
// reading it does not make its items that key's, or another key that may
// read the same answer would be refused its items.
func TestReadingAnAnswerMadeWithoutKeysLeavesItsItemsOpen(t *testing.T) {
	e, opts, mine, theirs := newTwoKeyE2E(t)
	e.start(t, func(c *Config) { c.RequireKeys = false; c.Owners = c.Log.(*recordLog) })
	ctx := context.Background()
	open := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey("sk-no-key-needed"), option.WithMaxRetries(0))
	made, err := open.Responses.New(ctx, ask("a shared answer"), onModel("large"))
	require.NoError(t, err)
	require.NotEmpty(t, made.Output)
	e.log.waitFor(t, 1)

	e.start(t, opts, func(c *Config) { c.Answers = c.Log.(*recordLog) })
	_, err = mine().Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	require.NoError(t, err, "an answer made without keys is every key's to read")
	_, err = theirs().Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	_, err = theirs().Responses.New(ctx, referring(made.Output[0].ID))
	require.NoError(t, err, "so are its items, whoever read it first")
}

// OpenAI keeps nothing of a store: false answer, so no key can name its
// items there: stateless clients (Codex) would otherwise add a row to
// owned_ids for every item of every turn.
func TestItemsOfAnUnstoredAnswerAreNotRecorded(t *testing.T) {
	e, _, mine, _ := newTwoKeyE2E(t)
	p := ask("hello")
	p.Store = openai.Bool(false)
	made, err := mine().Responses.New(context.Background(), p, onModel("large"))
	require.NoError(t, err)
	require.NotEmpty(t, made.Output)
	e.log.waitFor(t, 1)
	assert.Empty(t, e.log.all()[0].OwnedIDs)
}
