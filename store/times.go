package store

import "time"

// tsLayout is RFC 3339 in UTC with a fixed nine-digit fraction: it parses
// with time.RFC3339Nano, and unlike RFC3339Nano's output (which trims
// trailing zeros) it sorts correctly as text.
const tsLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTS(t time.Time) string { return t.UTC().Format(tsLayout) }

func parseTS(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// optionalMillis is a latency that may not have happened: a call refused
// before routing took no decision time, and one that reached no upstream
// had no first byte. Those are NULL, not 0, so avg() in SQL means only the
// calls that had them.
func optionalMillis(d time.Duration) any {
	if d <= 0 {
		return nil
	}
	return millis(d)
}
