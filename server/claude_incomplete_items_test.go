package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// When Claude stops at max_tokens, or refuses (stop_reason "refusal",
// which may come in the middle of an answer), the item it was writing was
// cut off: as in OpenAI's Responses API (an item whose model stopped
// while writing it ends "incomplete", the last item of an incomplete
// response, whose incomplete_details say why: max_output_tokens or
// content_filter), that item says status "incomplete", in the JSON answer,
// in the stream's response.output_item.done and response.incomplete, and
// read back by id; the items before it were finished and say "completed".
// An answer Claude ended itself says "completed" throughout.
func TestTheItemClaudeWasWritingWhenItWasCutOffIsIncomplete(t *testing.T) {
	call := upstreamtest.ToolCall{ID: "toolu_1", Name: "lookup", Arguments: `{"q":"lakes"}`}
	for _, tc := range []struct {
		name     string
		behavior upstreamtest.Behavior
		want     []string // each output item's type and status
		reason   string   // the response's incomplete_details.reason, "" when completed
	}{
		{"text cut", upstreamtest.Behavior{StopReason: "max_tokens"}, []string{"message incomplete"}, "max_output_tokens"},
		{"call cut after text", upstreamtest.Behavior{StopReason: "max_tokens", ToolCall: &call, TextFirst: true},
			[]string{"message completed", "function_call incomplete"}, "max_output_tokens"},
		{"call cut", upstreamtest.Behavior{StopReason: "max_tokens", ToolCall: &call}, []string{"function_call incomplete"}, "max_output_tokens"},
		{"text refused", upstreamtest.Behavior{StopReason: "refusal"}, []string{"message incomplete"}, "content_filter"},
		// The refusal, which the client reads as a "refusal" content part,
		// gets a message of its own after the call it cut off.
		{"call refused after text", upstreamtest.Behavior{StopReason: "refusal", ToolCall: &call, TextFirst: true},
			[]string{"message completed", "function_call incomplete", "message incomplete"}, "content_filter"},
		{"text ended", upstreamtest.Behavior{}, []string{"message completed"}, ""},
		{"call ended", upstreamtest.Behavior{ToolCall: &call, TextFirst: true}, []string{"message completed", "function_call completed"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
			e.anthropic.Set("claude", tc.behavior)
			client := e.clients()["v1"]
			ctx := context.Background()
			params := ask("Name a lake.")
			params.MaxOutputTokens = openai.Int(50)
			statuses := func(items []responses.ResponseOutputItemUnion) []string {
				var out []string
				for _, it := range items {
					out = append(out, it.Type+" "+it.Status)
				}
				return out
			}
			ended := func(r *responses.Response) []string {
				status := responses.ResponseStatusCompleted
				if tc.reason != "" {
					status = responses.ResponseStatusIncomplete
				}
				assert.Equal(t, status, r.Status)
				assert.Equal(t, tc.reason, r.IncompleteDetails.Reason, "incomplete_details.reason")
				return statuses(r.Output)
			}
			readBack := func(id string) []string {
				got, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
				require.NoError(t, err)
				return ended(got)
			}

			whole, err := client.Responses.New(ctx, params, onModel("claude"))
			require.NoError(t, err)
			assert.Equal(t, tc.want, ended(whole), "as JSON")
			assert.Equal(t, tc.want, readBack(whole.ID), "the JSON answer read back by id")

			stream := client.Responses.NewStreaming(ctx, params, onModel("claude"))
			var done []string
			var last responses.Response
			for stream.Next() {
				switch ev := stream.Current(); ev.Type {
				case "response.output_item.done":
					done = append(done, ev.Item.Type+" "+ev.Item.Status)
				case "response.completed", "response.incomplete":
					last = ev.Response
				}
			}
			require.NoError(t, stream.Err())
			assert.Equal(t, tc.want, done, "each response.output_item.done")
			assert.Equal(t, tc.want, ended(&last), "the stream's last event")
			assert.Equal(t, tc.want, readBack(last.ID), "the streamed answer read back by id")
			if tc.want[len(tc.want)-1] == "message incomplete" {
				assert.Equal(t, "Hello from claude.", last.OutputText(), "a cut message keeps the text it has")
			}
		})
	}
}
