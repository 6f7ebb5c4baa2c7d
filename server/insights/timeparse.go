package insights

import (
	"strconv"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// ParseSince reads the start of a report range: an RFC 3339 time, a UTC
// date (2026-01-31: its midnight) or a span back from now ("7d", "36h",
// "90m"). Empty means no bound.
func ParseSince(s string, now time.Time) (time.Time, error) {
	return parseBound(s, now, "since", false)
}

// ParseUntil reads the end of a report range, which is exclusive; a date
// alone means the end of that day, so --since 2026-01-31 --until
// 2026-01-31 is that one day.
func ParseUntil(s string, now time.Time) (time.Time, error) {
	return parseBound(s, now, "until", true)
}

// ParseRange reads a report's since and until as ParseSince and
// ParseUntil do, and refuses an until that is not after since, naming both
// as they were typed: a date given as until is read as the midnight that
// ends it, which would show a day the user never typed.
func ParseRange(sinceText, untilText string, now time.Time) (since, until time.Time, err error) {
	if since, err = ParseSince(sinceText, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if until, err = ParseUntil(untilText, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return time.Time{}, time.Time{}, router.Errorf(router.EInvalid, "until %q must be after since %q",
			strings.TrimSpace(untilText), strings.TrimSpace(sinceText))
	}
	return since, until, nil
}

func parseBound(s string, now time.Time, name string, endOfDay bool) (time.Time, error) {
	t, err := parseTime(s, now, name, endOfDay)
	// The zero time stands for no bound: an until typed as that instant
	// (0001-01-01T00:00:00Z) would report everything instead of nothing.
	if err == nil && t.IsZero() && endOfDay && strings.TrimSpace(s) != "" {
		return time.Time{}, router.Errorf(router.EInvalid,
			"until %q is the earliest time there is, so nothing comes before it; leave until out for no end", strings.TrimSpace(s))
	}
	// A report names its range in RFC 3339, which has no year past 9999:
	// "--until 9999-12-31" (its day ends in 10000) would otherwise be
	// taken and fail only when the answer is written, an empty 200 over
	// HTTP and no JSON from `report`.
	if err == nil && t.Year() > 9999 {
		return time.Time{}, router.Errorf(router.EInvalid,
			"%s %q ends after the year 9999, past what a report can show; leave %s out for no bound", name, s, name)
	}
	// Nor before the year 0: 0000-01-01T00:00:00+01:00 is in UTC the
	// year -1.
	if err == nil && t.Year() < 0 {
		return time.Time{}, router.Errorf(router.EInvalid,
			"%s %q is before the year 0, past what a report can show; leave %s out for no bound", name, s, name)
	}
	return t, err
}

func parseTime(s string, now time.Time, name string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if s == "now" {
		return now.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.Add(24 * time.Hour)
		}
		return t, nil
	}
	if d, err := ParseSpan(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, router.Errorf(router.EInvalid,
		"%s %q: want an RFC 3339 time (2026-01-31T12:00:00Z), a date (2026-01-31) or a span back from now (7d, 36h, 90m)", name, s)
}

// ParseSpan reads a positive duration that may also be given in days
// ("7d"), which time.ParseDuration does not know.
func ParseSpan(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n float64
		n, err = strconv.ParseFloat(days, 64)
		d = time.Duration(n * float64(24*time.Hour))
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, router.Errorf(router.EInvalid, "span %q: want a positive duration such as 15m, 1h or 7d", s)
	}
	return d, nil
}
