package manage

import "time"

// SetSourceClock replaces the clock a Source ages its cached copy by.
func SetSourceClock(s *Source, now func() time.Time) { s.now = now }

// SetAfterChecks makes every PUT and DELETE of a run f between its checks
// (validation rules, preconditions) and its write.
func SetAfterChecks(a *API, f func()) { a.afterChecks = f }
