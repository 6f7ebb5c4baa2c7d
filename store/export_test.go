package store

import (
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// SetRetryDelays replaces the decision log's retry schedule for a test and
// returns the function that restores it.
func SetRetryDelays(d ...time.Duration) (restore func()) {
	old := retryDelays
	retryDelays = d
	return func() { retryDelays = old }
}

// HeldBytes is what the decision log counts against its held-rows limit
// for r.
func HeldBytes(r router.Record) int64 { return batchBytes([]router.Record{r}) }

// KeySpendSQL is KeySpend's query (args: key id, from and to in Unix ms).
const KeySpendSQL = keySpendSQL

// DecisionQuery is EachDecision's query for f and its args; for
// f.ByPrompt, the first of its queries, which reads what orders the rows.
func DecisionQuery(f DecisionFilter) (string, []any) {
	if f.ByPrompt {
		return byPromptQuery(f)
	}
	return decisionQuery(f)
}

// ByRowidQuery is ByPrompt's second query, which reads the rows of a JSON
// list of rowids in its order.
var ByRowidQuery = byRowidQuery

// KeptFormat is report_days_done.filled of a day this release kept.
const KeptFormat = keptFormat

// SetRollbackSQL replaces the statement that ends a transaction begun by
// hand on a pinned connection, so a test can make it fail, and returns the
// function that restores it.
func SetRollbackSQL(q string) (restore func()) {
	old := rollbackSQL
	rollbackSQL = q
	return func() { rollbackSQL = old }
}

// WithCheckpointInterval sets how often the store looks at the -wal
// file's size and empties it when oversized (default checkpointEvery).
func WithCheckpointInterval(d time.Duration) Option {
	return func(c *config) { c.checkpointEvery = d }
}
