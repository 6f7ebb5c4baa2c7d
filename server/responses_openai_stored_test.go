package server

// Responses calls that refer to what OpenAI stores, or carry what only
// some models take.

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A stored prompt template carries the conversation itself: OpenAI's
// prompting guide calls responses.create with `prompt` (id, version,
// variables) and no `input`, and the gateway forwards it.
func TestPromptTemplateCallWithoutInputIsForwarded(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Prompt: responses.ResponsePromptParam{ID: "pmpt_review8", Version: openai.String("2"),
			Variables: map[string]responses.ResponsePromptVariableUnionParam{
				"customer_name": {OfString: openai.String("Jane Doe")},
			}},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"large"}}))
	var apiErr *openai.Error
	if err != nil && assert.ErrorAs(t, err, &apiErr) {
		assert.NotEqual(t, "input", apiErr.Param, "a prompt-template call was refused for having no input: %s", apiErr.Message)
	}
	assert.NotEmpty(t, e.openai.RequestsFor("large"), "the prompt-template call never reached OpenAI")
}

// newE2EWithXAI is the e2e gateway with a second OpenAI-kind provider,
// xAI (which serves its own Responses API at /v1/responses), and a model
// "grok" there that the router ranks first and that is the cheapest: a
// Balanced call goes to it unless something keeps it off.
func newE2EWithXAI(t *testing.T) (*e2e, *upstreamtest.Fake) {
	t.Helper()
	return newE2EWithOpenAIKind(t, "xai", "grok", "xAI")
}

// newE2EWithOpenAIKind is the e2e gateway with a second OpenAI-kind
// provider (its own fake, a server of one's own as well as xAI) and a
// model there that the router ranks first and that is the cheapest.
func newE2EWithOpenAIKind(t *testing.T, provider, model, format string, opts ...func(*Config)) (*e2e, *upstreamtest.Fake) {
	t.Helper()
	second := upstreamtest.NewOpenAI(t)
	e := newE2E(t, append([]func(*Config){func(c *Config) {
		ps := c.Forwarder.(*upstream.Forwarder).Providers
		ps.ByName[provider] = upstream.Provider{Name: provider, Kind: upstream.KindOpenAI, BaseURL: second.URL, APIKey: "sk-upstream-" + provider}
		c.Forwarder = &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second}
		c.Supports, c.Available = ps.Supports, ps.Available
		cat := testCatalog()
		cat.Versions[0].Models = append(cat.Versions[0].Models, testModel(model, provider, format, 0.05, 0.1, allCaps))
		pred := testPrediction()
		pred[model] = router.Estimate{Quality: 0.95, OutputTokens: 100}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
		require.NoError(t, err)
		c.Router = rt
	}}, opts...)...)
	return e, second
}

// What a Responses call names by an id that lives at OpenAI (a
// Conversations API conversation, a stored prompt, an uploaded file, a
// stored item) only OpenAI can resolve, as a previous_response_id only its
// writer's provider can: such calls stay off other OpenAI-compatible
// providers, which would answer without the history, template or file.
func TestOpenAIStoredIDsStayOffOtherProviders(t *testing.T) {
	for name, body := range map[string]string{
		"conversation":   `{"model":"model-router","conversation":"conv_review8","input":"And what did I say before?"}`,
		"prompt":         `{"model":"model-router","prompt":{"id":"pmpt_review8"},"input":"Go on."}`,
		"input_image id": `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","file_id":"file-review8img"}]}]}`,
		"item_reference": `{"model":"model-router","input":[{"type":"item_reference","id":"msg_review8"},{"role":"user","content":"Go on."}]}`,
		// OpenAI's Go SDK leaves out an item_reference's type.
		"item_reference without type": `{"model":"model-router","input":[{"id":"msg_review8"},{"role":"user","content":"Go on."}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			e, xai := newE2EWithXAI(t)
			status, _, _ := postRaw(t, e, http.MethodPost, "/v1/responses", body)
			for _, r := range xai.Requests() {
				assert.Fail(t, "an id stored at OpenAI was sent to xAI", "status %d, xAI got %s", status, r.Body)
			}
		})
	}
}

// An agent that sends its whole history (store: false with include
// reasoning.encrypted_content, or the Agents SDK's replay of every item)
// carries the reasoning items an earlier turn's reasoning model wrote.
// OpenAI refuses them for a model that does not reason (400 "Reasoning
// input items can only be provided to a reasoning or computer use model",
// as OpenAI API users report it), so they are dropped for such a model, as
// `reasoning` and the `include` entry are.
func TestReasoningItemsAreNotSentToAModelThatDoesNotReason(t *testing.T) {
	e := newE2E(t)
	body := `{"model":"model-router","store":false,"include":["reasoning.encrypted_content"],
		"routing_config":{"models":["mini"]},
		"input":[
			{"role":"user","content":"What is 17 * 23?"},
			{"type":"reasoning","id":"rs_review8","summary":[],"encrypted_content":"gAAAAABreview8"},
			{"type":"message","id":"msg_review8","role":"assistant","status":"completed","content":[{"type":"output_text","text":"391","annotations":[]}]},
			{"role":"user","content":"And 17 * 24?"}]}`
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses", body)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	reqs := e.openai.RequestsFor("mini")
	require.Len(t, reqs, 1)
	var sent struct {
		Include []string          `json:"include"`
		Input   []json.RawMessage `json:"input"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	assert.NotContains(t, sent.Include, "reasoning.encrypted_content", "already dropped for a model that does not reason")
	for _, it := range sent.Input {
		var item struct {
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(it, &item))
		assert.NotEqual(t, "reasoning", item.Type, "a reasoning item went to mini, which does not reason: %s", it)
	}
}

// Like OpenAI's, a response Claude wrote repeats the settings the call was
// made with (metadata, instructions, tools, tool_choice,
// parallel_tool_calls, max_output_tokens), in the answer and when read
// back by id: an app that tags its calls with metadata finds its tags.
func TestClaudeResponseRepeatsTheCallSettings(t *testing.T) {
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) { c.Responses = kept })
	client := e.clients()["v1"]
	ctx := context.Background()
	params := ask("Weather in Paris?")
	params.Instructions = openai.String("Be brief.")
	params.Metadata = map[string]string{"ticket": "T-42"}
	params.MaxOutputTokens = openai.Int(500)
	params.ParallelToolCalls = openai.Bool(false)
	params.ToolChoice = responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: openai.Opt(responses.ToolChoiceOptionsRequired)}
	params.Tools = []responses.ToolUnionParam{responses.ToolParamOfFunction("lookup",
		map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}, false)}
	e.anthropic.Set("claude", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "toolu_1", Name: "lookup", Arguments: `{"city":"Paris"}`}})
	got, err := client.Responses.New(ctx, params, onModel("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", got.Model)
	read, err := client.Responses.Get(ctx, got.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	for name, r := range map[string]*responses.Response{"answer": got, "GET": read} {
		assert.Equal(t, "T-42", r.Metadata["ticket"], "%s: metadata", name)
		assert.Equal(t, "Be brief.", r.Instructions.OfString, "%s: instructions", name)
		assert.Len(t, r.Tools, 1, "%s: tools", name)
		assert.EqualValues(t, "required", r.ToolChoice.OfToolChoiceMode, "%s: tool_choice", name)
		assert.False(t, r.ParallelToolCalls, "%s: parallel_tool_calls", name)
		assert.EqualValues(t, 500, r.MaxOutputTokens, "%s: max_output_tokens", name)
	}
}
