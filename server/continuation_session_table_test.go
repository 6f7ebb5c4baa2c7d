package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A previous_response_id continuation goes to the model that wrote the
// answer it continues, which the kept row or the decision log names on
// every turn: it takes no place in the session table. So however many
// turns continuations take, a header session's pin stays, here in a table
// of two sessions that ten continuation turns would otherwise overflow.
func TestContinuationsLeaveHeaderSessionsInTheTable(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		c.Responses = &memResponses{}
		rt, err := router.New(router.Config{
			Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available,
			AffinityMax: 2,
		})
		require.NoError(t, err)
		c.Router = rt
	})
	ctx := context.Background()
	client := e.clients()["v1"]
	chat := func(opts ...option.RequestOption) *openai.ChatCompletion {
		t.Helper()
		resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "model-router",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
		}, append([]option.RequestOption{option.WithHeader("x-session-id", "chat-1")}, opts...)...)
		require.NoError(t, err)
		return resp
	}
	// The header session starts on nano; Balanced alone picks mini.
	require.Equal(t, "nano", chat(onModel("nano")).Model)
	require.Equal(t, "nano", chat().Model, "the test needs the header session pinned")

	// A conversation large answers (stored by OpenAI) and one Claude
	// answers (kept by the gateway), five turns each, each on its writer.
	// (In that order: both fakes number their answers alike, and a kept
	// answer's id is looked up first.)
	for _, writer := range []string{"large", "claude"} {
		prev, err := client.Responses.New(ctx, ask("Name a river."), onModel(writer))
		require.NoError(t, err)
		require.Equal(t, writer, prev.Model)
		for turn := range 5 {
			next, err := client.Responses.New(ctx, responses.ResponseNewParams{
				Model: "model-router", PreviousResponseID: openai.String(prev.ID),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Another one.")},
			})
			require.NoError(t, err)
			require.Equal(t, writer, next.Model, "turn %d left the model that wrote the answer it continues", turn)
			assert.Equal(t, true, selection(t, extraOf(next.JSON.ExtraFields))["session_affinity"])
			prev = next
		}
	}

	resp := chat()
	assert.Equal(t, "nano", resp.Model, "continuation turns pushed the header session out of the table")
	assert.Equal(t, true, selection(t, extraOf(resp.JSON.ExtraFields))["session_affinity"])
}
