package server

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude's message_delta carries the answer's final (cumulative) output
// tokens. A client that leaves after it (it already has finish_reason,
// which the translation sends at message_delta) but before message_stop has a
// fully reported answer: its 3 output tokens are billed, not the 100
// predicted.
func TestClaudeStreamLeftAfterItsFinalUsageIsNotOverbilled(t *testing.T) {
	e := newE2E(t)
	// message_start, content_block_start, ping, 3 text deltas,
	// content_block_stop, message_delta: 8 events, then a stall before
	// message_stop.
	e.anthropic.Set("claude", upstreamtest.Behavior{Stall: true, StallAfter: 8})
	body := `{"model":"model-router","stream":true,"routing_config":{"models":["claude"]},"messages":[{"role":"user","content":"Say hello."}]}`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := e.openStream(t, ctx, body)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, line)
		if strings.Contains(line, `"finish_reason":"stop"`) {
			break // message_delta, with the final usage, has come
		}
	}
	cancel()
	r := e.log.waitFor(t, 1)[0]
	require.Equal(t, "claude", r.Answered)
	assert.Equal(t, 3, r.Usage.CompletionTokens,
		"message_delta reported the final output tokens: the estimate must not replace them")
	assert.False(t, r.UsageEstimated)
}
