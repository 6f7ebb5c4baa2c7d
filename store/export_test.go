package store

import "time"

// SetRetryDelays replaces the decision log's retry schedule for a test and
// returns the function that restores it.
func SetRetryDelays(d ...time.Duration) (restore func()) {
	old := retryDelays
	retryDelays = d
	return func() { retryDelays = old }
}
