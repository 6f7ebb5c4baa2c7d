package refusedlog_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/refusedlog"
)

// A flood that stops within a minute of its address's line: the refusals
// after that line are written once the minute has ended, by the flush a
// ticker runs, not left to the metric alone.
func TestTheLastMinuteOfAFloodThatStopsIsWrittenOnceTheMinuteEnds(t *testing.T) {
	l, clk, lines := newLog(t, 0)
	l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	clk.advance(10 * time.Second)
	for range 40 {
		l.Refused("203.0.113.9", "", "unauthorized", "/v1/responses")
	}
	l.Refused("203.0.113.9", "10.0.0.5", "forbidden", "/v1/messages")

	// tick is one tick of Run's ticker, Run ended after it: what the
	// flush wrote is then all there.
	tick := func() {
		ticks := make(chan time.Time)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.Run(ctx, ticks)
		}()
		ticks <- clk.now
		cancel()
		<-done
	}

	clk.advance(49 * time.Second)
	tick()
	require.Len(t, lines(), 1, "within the minute of its line nothing more is written")

	clk.advance(time.Second)
	tick()
	got := lines()
	require.Len(t, got, 2, "the minute has ended: its count is written")
	assert.Equal(t, "203.0.113.9", got[1]["client"])
	assert.Equal(t, 41.0, got[1]["refused"], "every refusal since the first line")
	assert.Equal(t, "forbidden", got[1]["reason"], "the latest refusal's reason and route")
	assert.Equal(t, "/v1/messages", got[1]["route"])
	assert.Equal(t, "10.0.0.5", got[1]["proxy"])

	clk.advance(2 * time.Minute)
	tick()
	assert.Len(t, lines(), 2, "nothing left to write, nothing written")

	l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	got = lines()
	require.Len(t, got, 3, "an address quiet for a minute gets a line at its next refusal")
	assert.Equal(t, 1.0, got[2]["refused"])
}

// Refusals of addresses past the table share a line, which the flush
// writes too once its minute has ended.
func TestTheOtherAddressesLineIsFlushedOnceItsMinuteEnds(t *testing.T) {
	l, clk, lines := newLog(t, 1)
	for _, addr := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"} {
		l.Refused(addr, "", "unauthorized", "/v1/chat/completions")
	}
	require.Len(t, lines(), 2, "the remembered address's line and the shared one")

	clk.advance(time.Minute)
	l.Flush()
	got := lines()
	require.Len(t, got, 3)
	assert.Equal(t, refusedlog.OtherAddresses, got[2]["client"])
	assert.Equal(t, 2.0, got[2]["refused"])
}

// At shutdown no tick and no later call would write what the last minute
// counted: FlushAll writes it, window or not, once.
func TestFlushAllWritesTheCountsNotYetWrittenAtShutdown(t *testing.T) {
	l, clk, lines := newLog(t, 0)
	for range 3 {
		l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
		l.Refused("2001:db8::/64", "", "forbidden", "/v1/responses")
	}
	l.Refused("198.51.100.7", "", "unauthorized", "/v1/chat/completions")
	clk.advance(5 * time.Second)
	require.Len(t, lines(), 3)

	l.FlushAll()
	got := lines()
	require.Len(t, got, 5, "one line for each address with refusals not yet written")
	assert.Equal(t, "203.0.113.9", got[3]["client"])
	assert.Equal(t, 2.0, got[3]["refused"])
	assert.Equal(t, "2001:db8::/64", got[4]["client"])
	assert.Equal(t, 2.0, got[4]["refused"])

	l.FlushAll()
	assert.Len(t, lines(), 5, "a count is written once")
}

// Start's goroutine ends when stop returns, and stop writes what is left.
func TestStopOfStartWritesWhatIsLeft(t *testing.T) {
	l, _, lines := newLog(t, 0)
	stop := l.Start()
	l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	stop()
	got := lines()
	require.Len(t, got, 2)
	assert.Equal(t, 1.0, got[1]["refused"])
}

// A refusal noted after stop (a handler the shutdown cut, still running)
// has no flush to come: it gets its line at once, not only the metric.
func TestARefusalAfterStopIsWrittenAtOnce(t *testing.T) {
	l, _, lines := newLog(t, 0)
	stop := l.Start()
	l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	stop()
	require.Len(t, lines(), 1)
	l.Refused("203.0.113.9", "", "forbidden", "/v1/responses")
	got := lines()
	require.Len(t, got, 2, "within the minute of its line, but after stop")
	assert.Equal(t, 1.0, got[1]["refused"])
	assert.Equal(t, "forbidden", got[1]["reason"])
}
