package ratelimit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/ratelimit"
)

// README: "a retry at retry-after-ms is admitted". Capacity 13 is 13,000 TPM and a 2,166.67-token
// bucket; after a 1,900-token request 266.67 are left, so a 2,000-token
// request needs 1,733.33 more: exactly 8 s at 13,000/min. The retry at
// exactly 8,000 ms is admitted, though float rounding in the refill leaves
// the bucket at 1,999.999...
func TestRetryAtRetryAfterMsIsAdmitted(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("r", 13)
	_, _, ok := l.Admit(d, 1900)
	require.True(t, ok)
	_, h, ok := l.Admit(d, 2000)
	require.False(t, ok)
	require.Equal(t, "8000", h.Get("retry-after-ms"))
	clk.advance(retryAfter(t, h))
	_, h2, ok := l.Admit(d, 2000)
	assert.True(t, ok, "refused again at retry-after-ms; second refusal: retry-after-ms=%s remaining-tokens=%s",
		h2.Get("retry-after-ms"), h2.Get("x-ratelimit-remaining-tokens"))
}

// A request admitted before its deployment's capacity changed settles into
// the buckets in use now, not the replaced ones: its refund (or extra
// charge) counts.
func TestSettleAfterResizeIsKept(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	settle, _, ok := l.Admit(dep("a", 10), 1500) // 1,666.67 -> 166.67 left
	require.True(t, ok)
	// The deployment is updated to capacity 20 while the call is under way:
	// the next request sees it (the spent tokens stay spent: 166.67 left).
	_, h, ok := l.Admit(dep("a", 20), 0)
	require.True(t, ok)
	require.Equal(t, "166", h.Get("x-ratelimit-remaining-tokens"))
	settle(0) // the answer billed nothing: 1,500 tokens back
	_, h, ok = l.Admit(dep("a", 20), 1600)
	assert.True(t, ok, "1,666 tokens should be left after the refund; remaining-tokens=%s", h.Get("x-ratelimit-remaining-tokens"))

	// The other way: a call that billed far more than its estimate.
	clk2 := newClock()
	l2 := ratelimit.New(clk2.now)
	settle, _, ok = l2.Admit(dep("b", 10), 100)
	require.True(t, ok)
	_, _, ok = l2.Admit(dep("b", 20), 0) // resize; 1,566.67 left
	require.True(t, ok)
	settle(5100) // 5,000 more than estimated: the bucket goes into debt
	_, h, ok = l2.Admit(dep("b", 20), 1)
	assert.False(t, ok, "the 5,000 extra tokens must be charged; remaining-tokens=%s", h.Get("x-ratelimit-remaining-tokens"))
}
