package ratelimit

import "time"

// windowSeconds is the span of the sliding window: the per-minute limit
// holds over every 60 consecutive seconds.
const windowSeconds = 60

// window counts what was admitted in each of the last 60 seconds and refuses
// what would take the sum over limit. Counting by whole seconds makes it
// strict: whatever 60-second span one looks at, aligned to the second, it
// holds at most limit (plus what settles above the estimate).
type window struct {
	limit float64
	slots [windowSeconds]slot
}

// slot is the amount admitted during one second (Unix time).
type slot struct {
	second int64
	amount float64
}

// live reports whether the slot's second is inside the window ending in
// second now.
func (s slot) live(now int64) bool { return s.second > now-windowSeconds && s.second <= now }

func (w *window) at(second int64) *slot {
	return &w.slots[((second%windowSeconds)+windowSeconds)%windowSeconds]
}

func (w *window) sum(now time.Time) float64 {
	sec := now.Unix()
	total := 0.0
	for _, s := range w.slots {
		if s.live(sec) {
			total += s.amount
		}
	}
	return total
}

func (w *window) add(now time.Time, n float64) {
	sec := now.Unix()
	s := w.at(sec)
	if s.second != sec {
		*s = slot{second: sec}
	}
	s.amount += n
}

// adjust changes what was admitted at time at by n (a settle), if that
// second is still in the window; once it has left, it no longer counts.
func (w *window) adjust(at time.Time, n float64, now time.Time) {
	sec := at.Unix()
	s := w.at(sec)
	if s.second == sec && s.live(now.Unix()) {
		s.amount = max(0, s.amount+n)
	}
}

// waitFor is how long until n more fit: until enough of the oldest seconds
// have left the window. A request larger than the limit waits for an empty
// window, as a bucket makes it wait for a full bucket.
func (w *window) waitFor(n float64, now time.Time) time.Duration {
	need := min(n, w.limit)
	sec := now.Unix()
	over := w.sum(now) + need - w.limit
	if over <= 0 {
		return 0
	}
	for s := sec - windowSeconds + 1; s <= sec; s++ {
		if sl := w.at(s); sl.second == s {
			over -= sl.amount
		}
		if over <= 0 {
			// Second s leaves the window when second s+60 begins.
			return time.Unix(s+windowSeconds, 0).Sub(now)
		}
	}
	return time.Unix(sec+1, 0).Sub(now) // unreachable while amounts are >= 0
}
