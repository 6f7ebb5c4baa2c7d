package upstream_test

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// lakeSchema is a structured output a call holds its answer to.
var lakeSchema = map[string]any{
	"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}},
	"required": []any{"name"}, "additionalProperties": false,
}

const cyberExplanation = "This request was declined because it could enable cyber harm."

// refusalCase is an answer of Claude's and what OpenAI's clients should
// read of it: the text before the refusal where they read text (content,
// output_text), the refusal where they read one (message.refusal, a
// "refusal" content part), and how the answer ended.
type refusalCase struct {
	name     string
	behavior upstreamtest.Behavior
	text     string // content / output_text; "" for none (content null, no output_text part)
	refusal  string // "" for none
	finish   string // Chat's finish_reason
	reason   string // Responses' incomplete_details.reason, "" when completed
}

var refusalCases = []refusalCase{
	{"refused after text, explained", upstreamtest.Behavior{Reply: `{"name": "Lake`, StopReason: "refusal",
		StopDetails: map[string]any{"type": "refusal", "category": "cyber", "explanation": cyberExplanation}},
		`{"name": "Lake`, cyberExplanation, "content_filter", "content_filter"},
	{"refused before any text, unexplained", upstreamtest.Behavior{NoText: true, StopReason: "refusal"},
		"", `Claude declined to continue this answer (stop_reason "refusal").`, "content_filter", "content_filter"},
	{"refused with a category only", upstreamtest.Behavior{NoText: true, StopReason: "refusal",
		StopDetails: map[string]any{"type": "refusal", "category": "bio", "explanation": nil}},
		"", `Claude declined to continue this answer (stop_reason "refusal", category "bio").`, "content_filter", "content_filter"},
	// Cut off in a function call: Chat's message has the call, no text
	// and the refusal; the Responses refusal is a message of its own
	// after the call.
	{"refused in a function call", upstreamtest.Behavior{StopReason: "refusal",
		ToolCall:    &upstreamtest.ToolCall{ID: "toolu_1", Name: "lookup", Arguments: `{"q":"lakes"}`},
		StopDetails: map[string]any{"type": "refusal", "category": "cyber", "explanation": cyberExplanation}},
		"", cyberExplanation, "content_filter", "content_filter"},
	// A server that answers a stream with the whole answer: the gateway
	// streams that answer's refusal itself.
	{"refused after text, answered whole to a stream", upstreamtest.Behavior{Reply: `{"name": "Lake`, StopReason: "refusal", NoStreaming: true,
		StopDetails: map[string]any{"type": "refusal", "category": "cyber", "explanation": cyberExplanation}},
		`{"name": "Lake`, cyberExplanation, "content_filter", "content_filter"},
	{"no refusal", upstreamtest.Behavior{Reply: `{"name": "Baikal"}`}, `{"name": "Baikal"}`, "", "stop", ""},
}

// claudeAnswering is a gateway for api whose one model, claudeStructured,
// answers as b, and an OpenAI client of it.
func claudeAnswering(t *testing.T, b upstreamtest.Behavior, api upstream.API) (*gateway, openai.Client) {
	f := newFakes(t)
	f.anthropic.Set(claudeStructured.UpstreamModel, b)
	g := newGateway(t, f.fwd, api, claudeStructured)
	return g, sdkClient(g)
}

// Claude's refusal (stop_reason "refusal", which its classifiers may give
// in the middle of an answer) reaches a Chat Completions client where
// OpenAI's clients read a refusal: message.refusal, streamed as
// delta.refusal (openai-go's accumulator gathers it into the message's
// Refusal), with Anthropic's explanation or the gateway's sentence, and
// finish_reason content_filter (openai-python's chat.completions.parse()
// raises ContentFilterFinishReasonError on it). The text Claude wrote
// before it stays content; with none, content is null, as beside OpenAI's
// refusals. An answer without a refusal has refusal null, as before.
func TestClaudesRefusalReachesChatClientsInRefusal(t *testing.T) {
	for _, tc := range refusalCases {
		t.Run(tc.name, func(t *testing.T) {
			g, c := claudeAnswering(t, tc.behavior, upstream.APIChatCompletions)
			params := openai.ChatCompletionNewParams{
				Model:    "router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name a lake.")},
				ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
					JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "lake", Schema: lakeSchema, Strict: openai.Bool(true)},
				}},
			}

			res, err := c.Chat.Completions.New(context.Background(), params)
			require.NoError(t, err)
			g.outcome(t)
			msg := res.Choices[0].Message
			assert.Equal(t, tc.text, msg.Content, "content")
			if tc.text == "" {
				assert.Equal(t, "null", msg.JSON.Content.Raw(), "content beside a refusal with no text")
			}
			assert.Equal(t, tc.refusal, msg.Refusal, "message.refusal")
			if tc.refusal == "" {
				assert.Equal(t, "null", msg.JSON.Refusal.Raw(), "refusal of an answer that has none")
			}
			assert.Equal(t, tc.finish, res.Choices[0].FinishReason)

			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			stream := c.Chat.Completions.NewStreaming(context.Background(), params)
			var acc openai.ChatCompletionAccumulator
			refusalChunks := 0
			for stream.Next() {
				chunk := stream.Current()
				acc.AddChunk(chunk)
				if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Refusal != "" {
					refusalChunks++
				}
			}
			require.NoError(t, stream.Err())
			g.outcome(t)
			require.Len(t, acc.Choices, 1)
			assert.Equal(t, tc.text, acc.Choices[0].Message.Content, "streamed content")
			assert.Equal(t, tc.refusal, acc.Choices[0].Message.Refusal, "streamed delta.refusal")
			assert.Equal(t, tc.finish, acc.Choices[0].FinishReason)
			if tc.refusal != "" {
				assert.Equal(t, 1, refusalChunks, "the refusal comes in one chunk, before the finish_reason")
			} else {
				assert.Zero(t, refusalChunks)
			}
		})
	}
}

// Claude's refusal reaches a Responses client as a "refusal" content part
// of the message, after the output_text of what Claude wrote before it
// (none when it wrote nothing), in the JSON answer and streamed
// (response.content_part.added, response.refusal.delta,
// response.refusal.done, response.content_part.done), the response
// incomplete for content_filter as before: openai-python's
// responses.parse() parses each output_text part with the call's schema
// and passes a refusal part on, so an answer refused before any text
// reads as a refusal (parsed None) rather than failing as invalid JSON,
// and openai-go's OutputText() reads only the text. An answer without a
// refusal has a single output_text part and no refusal events, as before.
func TestClaudesRefusalReachesResponsesClientsAsARefusalPart(t *testing.T) {
	for _, tc := range refusalCases {
		t.Run(tc.name, func(t *testing.T) {
			g, c := claudeAnswering(t, tc.behavior, upstream.APIResponses)
			params := responses.ResponseNewParams{
				Model: "router",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name a lake.")},
				Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
					OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{Name: "lake", Schema: lakeSchema, Strict: openai.Bool(true)},
				}},
			}
			var want []string // each content part as "type: text"
			if tc.text != "" {
				want = append(want, "output_text: "+tc.text)
			}
			if tc.refusal != "" {
				want = append(want, "refusal: "+tc.refusal)
			}
			parts := func(r *responses.Response) []string {
				var out []string
				for _, it := range r.Output {
					for _, p := range it.Content {
						out = append(out, p.Type+": "+p.Text+p.Refusal)
					}
				}
				return out
			}
			ended := func(r *responses.Response) {
				t.Helper()
				assert.Equal(t, tc.reason, r.IncompleteDetails.Reason, "incomplete_details.reason")
				assert.Equal(t, tc.text, r.OutputText())
				assert.Equal(t, want, parts(r))
			}

			res, err := c.Responses.New(context.Background(), params)
			require.NoError(t, err)
			g.outcome(t)
			ended(res)

			stream := c.Responses.NewStreaming(context.Background(), params)
			var deltas, done string
			var last responses.Response
			for stream.Next() {
				switch ev := stream.Current(); ev.Type {
				case "response.refusal.delta":
					deltas += ev.Delta
				case "response.refusal.done":
					done = ev.Refusal
				case "response.completed", "response.incomplete":
					last = ev.Response
				}
			}
			require.NoError(t, stream.Err())
			g.outcome(t)
			assert.Equal(t, tc.refusal, deltas, "response.refusal.delta")
			assert.Equal(t, tc.refusal, done, "response.refusal.done")
			ended(&last)
		})
	}
}
