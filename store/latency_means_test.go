package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// README "Requests, mean latencies (ms) and errors per hour": each mean is
// over the calls that had the latency. A call refused before routing (401
// bad key) took no decision time, and neither it nor a POST /v1/route dry
// run had a first byte: their latencies are NULL and leave the hour's
// means alone.
func TestHourlyLatencyQueryMeansOnlyCallsThatHadTheLatency(t *testing.T) {
	s := MustOpen(t)
	at := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	answered := sampleRecord("answered", at.Add(time.Minute)) // decide 1.5 ms, first byte 80 ms
	refused := unroutedRecord("bad-key", at.Add(2*time.Minute), 401, "invalid_api_key")
	dry := sampleRecord("dry-run", at.Add(3*time.Minute))
	dry.API, dry.Answered, dry.Attempts, dry.Usage, dry.CostUSD, dry.FirstByte = "route", "", nil, router.Usage{}, 0, 0
	logged(t, s, answered, refused, dry)

	rows := queryRows(t, s, exampleQueryNamed(t, "hourly-latency-and-errors"))
	require.Len(t, rows, 1, "one hour: %v", rows)
	r := rows[0]
	assert.Equal(t, 3.0, num(t, r["requests"]))
	assert.Equal(t, 80.0, num(t, r["first_byte_ms"]), "mean time to first byte of the one call that had one")
	assert.Equal(t, 1.5, num(t, r["decide_ms"]), "mean decision time of the calls that were decided")
}
