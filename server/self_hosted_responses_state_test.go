package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Ollama's Responses API keeps no answers and does not read
// previous_response_id: it answers the turn alone, with a 200. Through the
// gateway, whose continuation goes to the server that wrote the answer,
// that was a wrong answer with a 200; the answer now says which id it
// continues, so one that does not is not passed on, and the client is told
// to send the conversation itself. (So it is where the gateway keeps no
// answers, --keep-responses 0, as here, or did not keep this one.)
func TestContinuationAtAServerThatKeepsNoResponsesStateIsRefusedNotAnsweredWithoutIt(t *testing.T) {
	e, ollama := newE2EWithOpenAIKind(t, "meta", "llama", "Meta")
	ollama.Set("llama", upstreamtest.Behavior{Stateless: true, Reply: "Hello, whoever you are."})
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("My name is Ada."), onModel("llama"))
	require.NoError(t, err)
	require.Equal(t, "llama", made.Model)

	for _, stream := range []bool{false, true} {
		body, _ := json.Marshal(map[string]any{
			"model": "model-router", "previous_response_id": made.ID, "input": "What is my name?", "stream": stream,
		})
		status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses", string(body))
		assert.Equal(t, http.StatusBadRequest, status, "stream %t: the answer without the conversation reached the client: %s", stream, raw)
		assert.NotContains(t, string(raw), "whoever you are", "stream %t", stream)
		var got struct {
			Error struct{ Message, Param, Code string }
		}
		require.NoError(t, json.Unmarshal(raw, &got), "stream %t: %s", stream, raw)
		assert.Equal(t, "previous_response_id", got.Error.Param, "stream %t", stream)
		assert.Equal(t, "previous_response_not_found", got.Error.Code, "stream %t: the code clients read to send the whole conversation", stream)
		assert.Contains(t, got.Error.Message, "send the whole conversation in input", "stream %t", stream)
		assert.Contains(t, got.Error.Message, "keeps no Responses state", "stream %t", stream)
	}
}

// With a response store (as modelrouter serve runs unless
// --keep-responses 0), the gateway keeps the answers of a server that says
// it keeps nothing ("store": false, Ollama's), or of one of one's own that
// says nothing (no store member, llama.cpp's, which would refuse the
// continuation), under an id of its own, as it keeps Claude's: their
// continuation carries the whole conversation, and the answer is read
// back by that id.
func TestAnAnswerOfAServerThatKeepsNothingIsKeptAndContinuedWithItsConversation(t *testing.T) {
	for _, c := range []struct {
		server string
		stream bool
		b      upstreamtest.Behavior
	}{
		{"Ollama", false, upstreamtest.Behavior{Stateless: true}}, {"Ollama", true, upstreamtest.Behavior{Stateless: true}},
		{"llama.cpp", false, upstreamtest.Behavior{LlamaCpp: true}}, {"llama.cpp", true, upstreamtest.Behavior{LlamaCpp: true}},
	} {
		stream := c.stream
		e, server := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(cfg *Config) { cfg.Responses = &memResponses{} })
		c.b.Reply = "Hello, Ada."
		server.Set("llama", c.b)
		ctx := context.Background()
		client := e.clients()["v1"]

		made, _ := answerTo(t, client, "My name is Ada.", stream)
		assert.NotContains(t, made.ID, "resp_fake_", "%s, stream %t: kept under the gateway's own id, not the server's, which may repeat", c.server, stream)

		next, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "model-router", PreviousResponseID: openai.String(made.ID),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What is my name?")}})
		require.NoError(t, err, "%s, stream %t", c.server, stream)
		assert.Equal(t, "llama", next.Model, "%s, stream %t: the conversation stays on the model that answered it", c.server, stream)
		reqs := server.RequestsFor("llama")
		require.Len(t, reqs, 2)
		sent := string(reqs[1].Body)
		assert.NotContains(t, sent, "previous_response_id", "%s, stream %t", c.server, stream)
		assert.Contains(t, sent, "My name is Ada.", "%s, stream %t: the earlier turn goes with the call", c.server, stream)
		assert.Contains(t, sent, "Hello, Ada.", "%s, stream %t: and the earlier answer", c.server, stream)

		read, err := client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
		require.NoError(t, err, "%s, stream %t: the kept answer is read back by its id", c.server, stream)
		assert.Equal(t, made.ID, read.ID)
		assert.Equal(t, "Hello, Ada.", read.OutputText())
	}
}

// vLLM, SGLang and OpenAI name the continued id back: their continuation
// reaches the client as it did.
func TestContinuationAtAServerThatKeepsItsAnswersIsAnswered(t *testing.T) {
	e, vllm := newE2EWithOpenAIKind(t, "meta", "llama", "Meta")
	vllm.Set("llama", upstreamtest.Behavior{})
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("My name is Ada."), onModel("llama"))
	require.NoError(t, err)
	for _, stream := range []bool{false, true} {
		params := responses.ResponseNewParams{Model: "model-router", PreviousResponseID: openai.String(made.ID),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What is my name?")}}
		if !stream {
			next, err := client.Responses.New(ctx, params)
			require.NoError(t, err)
			assert.Equal(t, "llama", next.Model)
			continue
		}
		s := client.Responses.NewStreaming(ctx, params)
		completed := false
		for s.Next() {
			completed = completed || s.Current().Type == "response.completed"
		}
		require.NoError(t, s.Err())
		assert.True(t, completed, "the streamed continuation reached its end")
	}
}

// vLLM started without VLLM_ENABLE_RESPONSES_API_STORE refuses a
// background call with a 400 naming `background`: its server's setup, not
// the client's call, which another model runs.
func TestBackgroundCallRefusedByAServerWithoutItsStoreGoesToAnotherModel(t *testing.T) {
	e, vllm := newE2EWithOpenAIKind(t, "meta", "llama", "Meta")
	vllm.Set("llama", upstreamtest.Behavior{NoBackground: true})
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","background":true,"input":"Write a long report."}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	var got struct{ Model, ID string }
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.NotEqual(t, "llama", got.Model, "the router ranks llama first; its refusal fails over")
	assert.NotEmpty(t, vllm.RequestsFor("llama"), "llama was asked first")
}

// A server that keeps nothing of its answers ("store": false) but answers
// background: true with a queued job could never be polled for it: the
// gateway neither keeps that job (it would stay queued forever) nor passes
// it on; another model runs the call, and where none is left the client
// is told, in OpenAI's error shape, that the server cannot run background
// responses.
func TestBackgroundJobOfAServerThatKeepsNothingGoesToAnotherModel(t *testing.T) {
	for _, stream := range []bool{false, true} {
		// A stream would carry the job whole, but one cut off could never
		// be resumed or polled by its id, which is what a background call
		// is for: the rule is the same.
		e, server := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(cfg *Config) { cfg.Responses = &memResponses{} })
		server.Set("llama", upstreamtest.Behavior{Stateless: true})
		streamed := fmt.Sprintf(`"stream":%t,`, stream)
		status, header, raw := postRaw(t, e, http.MethodPost, "/v1/responses",
			`{"model":"model-router","background":true,`+streamed+`"input":"Write a long report."}`)
		require.Equal(t, http.StatusOK, status, "stream %t: %s", stream, raw)
		assert.NotEqual(t, "llama", header.Get("x-modelrouter-model"), "stream %t: the router ranks llama first; its job fails over", stream)
		assert.NotEmpty(t, server.RequestsFor("llama"), "stream %t: llama was asked first", stream)

		status, _, raw = postRaw(t, e, http.MethodPost, "/v1/responses",
			`{"model":"model-router","background":true,`+streamed+`"input":"Write a long report.","routing_config":{"models":["llama"]}}`)
		require.Equal(t, http.StatusBadRequest, status, "stream %t: %s", stream, raw)
		var refused struct {
			Error struct{ Message, Type, Param, Code string }
		}
		require.NoError(t, json.Unmarshal(raw, &refused), "%s", raw)
		assert.Equal(t, "invalid_request_error", refused.Error.Type)
		assert.Equal(t, "unsupported_value", refused.Error.Code)
		assert.Equal(t, "background", refused.Error.Param)
		assert.Contains(t, refused.Error.Message, "cannot run background responses")
	}
}

// Ollama keeps no answers, and its item ids repeat ("msg_" and a random
// number below 999,999): one key's answer may carry the id another key's
// answer had. An answer that says "store": false gives its items to no
// key, so another key sending back its own item of that id is not refused
// as naming someone else's.
func TestItemsOfAnAnswerNobodyStoresAreGivenToNoKey(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		e, _, mine, theirs := newTwoKeyE2E(t)
		e.openai.Set("large", upstreamtest.Behavior{Stateless: true}) // Ollama standing in for every model
		item := outputItemOf(t, mine(), streamed)
		e.log.waitFor(t, 1)

		_, err := theirs().Responses.New(context.Background(), responses.ResponseNewParams{Model: "model-router",
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
				responses.ResponseInputItemParamOfOutputMessage([]responses.ResponseOutputMessageContentUnionParam{{
					OfOutputText: &responses.ResponseOutputTextParam{Text: "their own earlier answer"},
				}}, item, responses.ResponseOutputMessageStatusCompleted),
				responses.ResponseInputItemParamOfMessage("and then?", responses.EasyInputMessageRoleUser),
			}}}, onModel("large"))
		assert.NoError(t, err, "streamed %t: an item id nobody stores was refused to another key", streamed)
	}
}

// The messages of an answer the gateway keeps for a server that keeps
// nothing get ids the gateway can read back, as Claude's do, in every
// event of a stream alike: an item_reference to one (the Vercel AI SDK's
// way of sending an earlier answer) is replaced by the item, rather than
// left a reference no model but OpenAI's can answer.
func TestAnItemReferenceToAKeptAnswerOfAServerThatKeepsNothingIsResolved(t *testing.T) {
	for _, stream := range []bool{false, true} {
		e, ollama := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(c *Config) { c.Responses = &memResponses{} })
		ollama.Set("llama", upstreamtest.Behavior{Stateless: true, Reply: "Hello, Ada."})
		ctx := context.Background()
		client := e.clients()["v1"]

		made, deltaItems := answerTo(t, client, "My name is Ada.", stream)
		require.NotEmpty(t, made.Output)
		item := made.Output[0].ID
		assert.Equal(t, "msg_"+made.ID+"_0", item, "stream %t", stream)
		if stream {
			assert.Equal(t, map[string]bool{item: true}, deltaItems, "the deltas name the item by the id it ends with")
		}

		_, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "model-router",
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
				responses.ResponseInputItemParamOfMessage("My name is Ada.", responses.EasyInputMessageRoleUser),
				responses.ResponseInputItemParamOfItemReference(item),
				responses.ResponseInputItemParamOfMessage("What is my name?", responses.EasyInputMessageRoleUser),
			}}})
		require.NoError(t, err, "stream %t", stream)
		reqs := ollama.RequestsFor("llama")
		require.Len(t, reqs, 2)
		sent := string(reqs[1].Body)
		assert.NotContains(t, sent, "item_reference", "stream %t", stream)
		assert.Contains(t, sent, "Hello, Ada.", "stream %t: the referenced answer goes with the call", stream)
	}
}

// A function call of such an answer gets the gateway's fc_ id, in its
// argument deltas as in the answer's output.
func TestAStreamedFunctionCallOfAKeptAnswerOfAServerThatKeepsNothingHasTheGatewaysID(t *testing.T) {
	e, ollama := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(c *Config) { c.Responses = &memResponses{} })
	ollama.Set("llama", upstreamtest.Behavior{Stateless: true,
		ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}})
	made, deltaItems := answerTo(t, e.clients()["v1"], "Weather in Paris?", true)
	require.NotEmpty(t, made.Output)
	call := made.Output[len(made.Output)-1]
	assert.Equal(t, "function_call", call.Type)
	assert.Equal(t, fmt.Sprintf("fc_%s_%d", made.ID, len(made.Output)-1), call.ID)
	assert.Equal(t, map[string]bool{call.ID: true}, deltaItems)
}

// answerTo is llama's answer to prompt, streamed or not, and the item ids
// the stream's events name by item_id (deltas, content parts).
func answerTo(t *testing.T, client openai.Client, prompt string, stream bool) (*responses.Response, map[string]bool) {
	t.Helper()
	ctx := context.Background()
	if !stream {
		made, err := client.Responses.New(ctx, ask(prompt), onModel("llama"))
		require.NoError(t, err)
		return made, nil
	}
	var made *responses.Response
	named := map[string]bool{}
	s := client.Responses.NewStreaming(ctx, ask(prompt), onModel("llama"))
	for s.Next() {
		ev := s.Current()
		if ev.ItemID != "" {
			named[ev.ItemID] = true
		}
		if ev.Type == "response.completed" {
			made = &ev.Response
		}
	}
	require.NoError(t, s.Err())
	require.NotNil(t, made, "the stream reached response.completed")
	return made, named
}

// llama.cpp's stream names its items by id alone (no event carries
// output_index), and its function call item has no id, its argument
// deltas naming it by its call_id. An answer the gateway keeps for it
// still names each item, in every event, by the id the completed answer
// gives it, so what a client built from the events matches what it reads
// back by id.
func TestEveryEventOfAKeptLlamaCppStreamNamesItsItemAsTheCompletedAnswerDoes(t *testing.T) {
	e, server := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(cfg *Config) { cfg.Responses = &memResponses{} })
	server.Set("llama", upstreamtest.Behavior{LlamaCpp: true, Thinking: "The user asks the weather.", TextFirst: true, Reply: "Let me look.",
		ToolCall: &upstreamtest.ToolCall{ID: "abc", Name: "get_weather", Arguments: `{"city":"Paris"}`}})
	client := e.clients()["v1"]
	s := client.Responses.NewStreaming(context.Background(), ask("Weather in Paris?"), onModel("llama"))
	var made *responses.Response
	named := map[string]bool{} // the item ids the events name
	for s.Next() {
		ev := s.Current()
		if ev.ItemID != "" {
			named[ev.ItemID] = true
		}
		if ev.Item.ID != "" {
			named[ev.Item.ID] = true
		}
		if ev.Type == "response.completed" {
			made = &ev.Response
		}
	}
	require.NoError(t, s.Err())
	require.NotNil(t, made, "the stream reached response.completed")
	require.Len(t, made.Output, 3)
	ids := map[string]bool{}
	for _, it := range made.Output {
		ids[it.ID] = true
	}
	assert.Equal(t, ids, named, "the events name the completed answer's items, by its ids")
	assert.Equal(t, "msg_"+made.ID+"_1", made.Output[1].ID, "the message has the gateway's id")
	assert.Equal(t, "fc_"+made.ID+"_2", made.Output[2].ID, "and so has the function call")
	assert.Equal(t, "fc_abc", made.Output[2].CallID, "whose call_id is the server's")

	read, err := client.Responses.Get(context.Background(), made.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	require.Len(t, read.Output, 3)
	for i, it := range read.Output {
		assert.Equal(t, made.Output[i].ID, it.ID, "the answer read back by id has the same items")
	}
}

// llama.cpp reads no background: a background: true call is answered at
// once, completed, its object saying nothing of store or background. That
// answer is no job its server could be asked about by id, so the gateway
// keeps it as any other of llama.cpp's, streamed or not, and its
// continuation carries the whole conversation.
func TestABackgroundCallLlamaCppAnswersAtOnceIsKeptAsAnyOther(t *testing.T) {
	for _, stream := range []bool{false, true} {
		e, server := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(cfg *Config) { cfg.Responses = &memResponses{} })
		server.Set("llama", upstreamtest.Behavior{LlamaCpp: true, Reply: "Hello, Ada."})
		ctx := context.Background()
		client := e.clients()["v1"]
		params := ask("My name is Ada.")
		params.Background = openai.Bool(true)
		var made *responses.Response
		if stream {
			s := client.Responses.NewStreaming(ctx, params, onModel("llama"))
			for s.Next() {
				if ev := s.Current(); ev.Type == "response.completed" {
					made = &ev.Response
				}
			}
			require.NoError(t, s.Err())
		} else {
			var err error
			made, err = client.Responses.New(ctx, params, onModel("llama"))
			require.NoError(t, err)
		}
		require.NotNil(t, made, "stream %t", stream)
		assert.NotContains(t, made.ID, "resp_fake_", "stream %t: kept under the gateway's id", stream)

		next, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "model-router", PreviousResponseID: openai.String(made.ID),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What is my name?")}})
		require.NoError(t, err, "stream %t", stream)
		assert.Equal(t, "llama", next.Model, "stream %t", stream)
		reqs := server.RequestsFor("llama")
		require.Len(t, reqs, 2)
		assert.NotContains(t, string(reqs[1].Body), "previous_response_id", "stream %t", stream)
		assert.Contains(t, string(reqs[1].Body), "Hello, Ada.", "stream %t: the earlier answer goes with the call", stream)
	}
}

// An answer of llama.cpp's the gateway keeps is read back, has its input
// items listed, and is deleted by the gateway's id, as Claude's are; one
// asked with store: false, or made while the gateway keeps no answers
// (--keep-responses 0), is not kept: it goes out with llama.cpp's own id,
// and its continuation is llama.cpp's refusal, the gateway's 400 naming
// previous_response_id.
func TestALlamaCppAnswerIsKeptUnlessTheCallOrTheGatewaySaysNot(t *testing.T) {
	ctx := context.Background()
	continuation := func(id string) responses.ResponseNewParams {
		return responses.ResponseNewParams{Model: "model-router", PreviousResponseID: openai.String(id),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What is my name?")}}
	}
	refused := func(t *testing.T, client openai.Client, id, why string) {
		t.Helper()
		_, err := client.Responses.New(ctx, continuation(id), onModel("llama"))
		var apiErr *openai.Error
		require.ErrorAs(t, err, &apiErr, why)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode, why)
		assert.Equal(t, "previous_response_id", apiErr.Param, why)
	}

	e, server := newE2EWithOpenAIKind(t, "meta", "llama", "Meta", func(cfg *Config) { cfg.Responses = &memResponses{} })
	server.Set("llama", upstreamtest.Behavior{LlamaCpp: true, Reply: "Hello, Ada."})
	client := e.clients()["v1"]
	stored := ask("My name is Ada.")
	stored.Store = openai.Bool(true)
	made, err := client.Responses.New(ctx, stored, onModel("llama"))
	require.NoError(t, err)
	assert.NotContains(t, made.ID, "resp_fake_", "store: true asked, and llama.cpp keeps nothing: the gateway keeps it")
	read, err := client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, "Hello, Ada.", read.OutputText())
	items, err := client.Responses.InputItems.List(ctx, made.ID, responses.InputItemListParams{})
	require.NoError(t, err)
	require.NotEmpty(t, items.Data)
	assert.Contains(t, items.Data[0].RawJSON(), "My name is Ada.")
	require.NoError(t, client.Responses.Delete(ctx, made.ID))
	_, err = client.Responses.Get(ctx, made.ID, responses.ResponseGetParams{})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, "deleted")

	unstored := ask("My name is Ada.")
	unstored.Store = openai.Bool(false)
	made, err = client.Responses.New(ctx, unstored, onModel("llama"))
	require.NoError(t, err)
	assert.Contains(t, made.ID, "resp_fake_", "store: false: nothing kept, the server's id")
	refused(t, client, made.ID, "store: false")

	e, server = newE2EWithOpenAIKind(t, "meta", "llama", "Meta") // --keep-responses 0
	server.Set("llama", upstreamtest.Behavior{LlamaCpp: true, Reply: "Hello, Ada."})
	client = e.clients()["v1"]
	made, err = client.Responses.New(ctx, ask("My name is Ada."), onModel("llama"))
	require.NoError(t, err)
	assert.Contains(t, made.ID, "resp_fake_", "--keep-responses 0: the server's id")
	refused(t, client, made.ID, "--keep-responses 0")
}
