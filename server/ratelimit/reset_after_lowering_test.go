package ratelimit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/ratelimit"
)

// A deployment that took 30,000 tokens in half a minute is lowered to
// capacity 10 (10,000 tokens per minute): its minute is spent for a while,
// though its new, smaller bucket is full. The refusal's x-ratelimit-reset-tokens
// must not say the limit is back sooner than Retry-After: a client pacing
// itself by the reset headers would otherwise send again at once, and again.
func TestResetTokensIsNoSoonerThanRetryAfterOnceCapacityIsLowered(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	for range 30 {
		settle, _, ok := l.Admit(dep("tenant", 100), 1000)
		require.True(t, ok)
		settle(1000)
		clk.advance(time.Second)
	}
	_, h, ok := l.Admit(dep("tenant", 10), 100)
	require.False(t, ok, "the last minute took three times the new limit")
	assert.Equal(t, "0", h.Get("x-ratelimit-remaining-tokens"))
	reset, err := time.ParseDuration(h.Get("x-ratelimit-reset-tokens"))
	require.NoError(t, err, "x-ratelimit-reset-tokens %q", h.Get("x-ratelimit-reset-tokens"))
	assert.GreaterOrEqual(t, reset, retryAfter(t, h), "x-ratelimit-reset-tokens %s, retry-after-ms %s",
		h.Get("x-ratelimit-reset-tokens"), h.Get("retry-after-ms"))
}
