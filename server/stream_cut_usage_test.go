package server

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A stream that breaks off after more text than its model was predicted
// to write was billed for that text: the log, budgets and capacity count
// at least what the client was sent, not the shorter prediction (100
// tokens here) that stands in for an answer cut early.
func TestStreamCutPastItsPredictedLengthIsChargedWhatItSent(t *testing.T) {
	for _, model := range []string{"mini", "claude"} {
		t.Run(model, func(t *testing.T) {
			e := newE2E(t)
			fake := e.openai
			if model == "claude" {
				fake = e.anthropic
			}
			fake.Set(model, upstreamtest.Behavior{Reply: strings.Repeat("word ", 400), CutAfter: 300})
			body := `{"model":"model-router","stream":true,"routing_config":{"models":["` + model + `"]},"messages":[{"role":"user","content":"Write a long story."}]}`
			resp := e.openStream(t, context.Background(), body)
			defer resp.Body.Close()
			stream, _ := io.ReadAll(resp.Body)
			sent := strings.Count(string(stream), "word")
			require.Greater(t, sent, 200, "the stream carried most of the answer before it broke")
			r := e.log.waitFor(t, 1)[0]
			require.True(t, r.UsageEstimated, "the provider never reported this stream's usage")
			assert.GreaterOrEqual(t, r.Usage.CompletionTokens, sent,
				"the client was sent %d words of answer before the stream broke; they were billed", sent)
		})
	}
}
