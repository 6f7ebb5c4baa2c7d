package manage

import "time"

// SetSourceClock replaces the clock a Source ages its cached copy by.
func SetSourceClock(s *Source, now func() time.Time) { s.now = now }
