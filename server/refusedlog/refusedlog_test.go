package refusedlog_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/refusedlog"
)

// clock is a time the test moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

func newLog(t *testing.T, maxClients int) (*refusedlog.Log, *clock, func() []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	clk := &clock{now: time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)}
	l := refusedlog.New(refusedlog.Config{MaxClients: maxClients, Now: clk.Now, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	lines := func() []map[string]any {
		var out []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
		for sc.Scan() {
			var m map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
			assert.Equal(t, refusedlog.Message, m["msg"])
			assert.Equal(t, "WARN", m["level"])
			out = append(out, m)
		}
		return out
	}
	return l, clk, lines
}

func TestAFloodFromOneAddressWritesOneLineAMinuteThatCountsIt(t *testing.T) {
	l, clk, lines := newLog(t, 0)
	for range 100 {
		l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	}
	got := lines()
	require.Len(t, got, 1, "the first refusal is logged at once, the rest of the minute only counted")
	assert.Equal(t, "203.0.113.9", got[0]["client"])
	assert.Equal(t, 1.0, got[0]["refused"])
	assert.Equal(t, "unauthorized", got[0]["reason"])
	assert.Equal(t, "/v1/chat/completions", got[0]["route"])
	assert.NotContains(t, got[0], "proxy")

	clk.advance(30 * time.Second)
	l.Refused("198.51.100.7", "10.0.0.5", "forbidden", "/v1/responses")
	for range 50 {
		l.Refused("203.0.113.9", "", "unauthorized", "/v1/chat/completions")
	}
	got = lines()
	require.Len(t, got, 2, "another address has a line of its own")
	assert.Equal(t, "198.51.100.7", got[1]["client"])
	assert.Equal(t, "10.0.0.5", got[1]["proxy"], "the trusted proxy that forwarded it")

	clk.advance(31 * time.Second)
	l.Refused("203.0.113.9", "", "unauthorized", "/v1/messages")
	got = lines()
	require.Len(t, got, 3)
	assert.Equal(t, "203.0.113.9", got[2]["client"])
	assert.Equal(t, 150.0, got[2]["refused"], "this refusal and the 149 since the previous line")
	assert.Equal(t, "/v1/messages", got[2]["route"])
}

func TestAddressesPastTheTableShareOneLineAMinute(t *testing.T) {
	l, clk, lines := newLog(t, 2)
	for _, addr := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.3"} {
		l.Refused(addr, "10.0.0.5", "unauthorized", "/v1/chat/completions")
	}
	got := lines()
	require.Len(t, got, 3)
	assert.Equal(t, "192.0.2.1", got[0]["client"])
	assert.Equal(t, "192.0.2.2", got[1]["client"])
	assert.Equal(t, refusedlog.OtherAddresses, got[2]["client"])
	assert.NotContains(t, got[2], "proxy", "the shared line names no one address's proxy")

	clk.advance(time.Minute)
	l.Refused("192.0.2.5", "", "unauthorized", "/v1/chat/completions")
	got = lines()
	require.Len(t, got, 4, "once a window has ended its address makes room")
	assert.Equal(t, "192.0.2.5", got[3]["client"])
	assert.Equal(t, 1.0, got[3]["refused"])
	l.Refused("192.0.2.6", "", "unauthorized", "/v1/chat/completions")
	got = lines()
	require.Len(t, got, 5)
	assert.Equal(t, "192.0.2.6", got[4]["client"])
}

// An address forgotten to make room for another, its window over but its
// refusals since its line not yet written (the flush had not come round),
// does not take them with it: they are counted on the other addresses'
// line, so the lines still add up to every refusal.
func TestRefusalsOfAForgottenAddressAreCountedOnTheOtherAddressesLine(t *testing.T) {
	l, clk, lines := newLog(t, 2)
	l.Refused("192.0.2.1", "", "unauthorized", "/v1/chat/completions")
	l.Refused("192.0.2.2", "", "unauthorized", "/v1/chat/completions")
	clk.advance(30 * time.Second)
	for range 3 {
		l.Refused("192.0.2.1", "", "forbidden", "/v1/messages")
	}
	clk.advance(31 * time.Second)
	l.Refused("192.0.2.3", "", "unauthorized", "/v1/chat/completions") // 192.0.2.1 makes room
	l.Flush()
	l.FlushAll()

	got := lines()
	total := 0.0
	for _, ln := range got {
		total += ln["refused"].(float64)
	}
	assert.Equal(t, 6.0, total, "the lines count every refusal: %v", got)
	require.Len(t, got, 4)
	assert.Equal(t, refusedlog.OtherAddresses, got[3]["client"])
	assert.Equal(t, 3.0, got[3]["refused"])
	assert.Equal(t, "forbidden", got[3]["reason"], "the latest of them")
	assert.Equal(t, "/v1/messages", got[3]["route"])
}
