package upstream_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Mistral's reasoning models answer with content as a list of parts: a
// thinking part, then the answer's text parts.
var partsAnswer = upstreamtest.Behavior{Thinking: "Two and two make four.", Reply: "It is 4, as sums go."}

func TestMessagesClientReadsAnswerGivenAsContentParts(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("magistral", partsAnswer)
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("magistral"))
			c := messagesClient(g)

			var text []string
			for _, b := range helloMessage(t, c, stream).Content {
				text = append(text, b.Type+": "+b.Text)
			}
			assert.Equal(t, []string{"text: It is 4, as sums go."}, text, "the answer's text, without its thinking")
			assert.Equal(t, "magistral-id", g.outcome(t).Answered.ID)
		})
	}
}

func TestChatClientGetsContentPartsAsStringAndReasoning(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("magistral", partsAnswer)
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("magistral"))
	c := openai.NewClient(option.WithBaseURL(g.URL), option.WithAPIKey("k"), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{
		Model: "router", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("what is two and two")},
	}

	res, err := c.Chat.Completions.New(context.Background(), params)
	require.NoError(t, err)
	msg := res.Choices[0].Message
	assert.Equal(t, "It is 4, as sums go.", msg.Content)
	assert.Equal(t, `"Two and two make four."`, msg.JSON.ExtraFields["reasoning_content"].Raw())
	g.outcome(t)

	s := c.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	var reasoning strings.Builder
	for s.Next() {
		ch := s.Current()
		acc.AddChunk(ch)
		for _, choice := range ch.Choices {
			if r, ok := choice.Delta.JSON.ExtraFields["reasoning_content"]; ok {
				var part string
				require.NoError(t, json.Unmarshal([]byte(r.Raw()), &part), r.Raw())
				reasoning.WriteString(part)
			}
		}
	}
	require.NoError(t, s.Err())
	assert.Equal(t, "It is 4, as sums go.", acc.Choices[0].Message.Content)
	assert.Equal(t, "Two and two make four.", reasoning.String())
	g.outcome(t)
}
