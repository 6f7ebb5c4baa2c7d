package store

import (
	"errors"
	"slices"
	"time"
	"unsafe"

	"github.com/mattn/go-sqlite3"

	"github.com/modelrouter/modelrouter/router"
)

// A full disk is an incident of minutes or hours (a log rotation, a
// backup landing on the same volume) while the gateway goes on answering,
// and so is a write lock another process keeps past busy_timeout (a
// `sqlite3` session left inside a write transaction, a long hand-written
// DELETE). The rows of that time are its billing record and what budgets
// add up after a restart, and the writer has them in memory anyway, so it
// holds them and retries until the database takes them again, up to a
// memory limit, instead of dropping them after a few seconds.

// Held rows are retried first after heldRetryFirst, then at twice the
// previous wait, up to heldRetryMax.
const (
	heldRetryFirst = 250 * time.Millisecond
	heldRetryMax   = 5 * time.Second
)

// heldLogEvery spaces the log lines saying rows are still held, so the
// operator sees how many while there is time to act, without a line per
// retry.
const heldLogEvery = 30 * time.Second

// heldRows are the batches the database could not take, oldest first.
type heldRows struct {
	batches [][]router.Record
	sizes   []int64
	rows    int
	bytes   int64
	limit   int64 // most bytes held; past it the oldest batches go
	err     error // why the database last refused them
	since   time.Time
	logged  time.Time // when the last "rows held" line was logged (zero: none yet)
	dropped int       // rows dropped past the limit since holding began
}

func (h *heldRows) pop() []router.Record {
	b := h.batches[0]
	h.rows -= len(b)
	h.bytes -= h.sizes[0]
	h.batches[0] = nil
	h.batches, h.sizes = h.batches[1:], h.sizes[1:]
	return b
}

// cannotWrite reports an error that says the database cannot write for
// now, whatever the batch, rather than that this batch failed: a full disk
// (SQLITE_FULL), a failing one (SQLITE_IOERR), a file that became
// read-only (SQLITE_READONLY), or another connection's write lock kept
// past busy_timeout (SQLITE_BUSY, SQLITE_LOCKED). Retrying soon does not
// help; waiting does, for as long as the other process keeps its lock.
func cannotWrite(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrBusy, sqlite3.ErrLocked:
		return true
	}
	return false
}

// hold keeps a batch the database could not take for the next retry.
// Past the memory limit the oldest held rows are dropped and counted as
// failed (see dropPastLimit).
func (l *Log) hold(batch []router.Record, err error) {
	h := &l.held
	// The caller reuses its slice for the next batch.
	batch = slices.Clone(batch)
	// A row larger than the limit alone (a prompt of many MB kept with
	// --keep-prompts) could never be held: it goes by itself, rather than
	// push every older held row, which fit, out ahead of it.
	var oversized []router.Record
	batch = slices.DeleteFunc(batch, func(r router.Record) bool {
		if batchBytes([]router.Record{r}) <= h.limit {
			return false
		}
		oversized = append(oversized, r)
		return true
	})
	if len(batch) == 0 {
		if len(h.batches) == 0 {
			h.dropped = 0 // a drop with nothing held is logged as a first
		}
		l.dropPastLimit(err, oversized)
		return
	}
	if len(h.batches) == 0 {
		// The first retry that fails says how many rows are held.
		h.since, h.logged, h.dropped = time.Now(), time.Time{}, 0
		l.logger.Error("decision log: the database cannot write; holding rows in memory and retrying until it can",
			"rows", len(batch), "limit_bytes", h.limit, "error", err)
	}
	size := batchBytes(batch)
	h.batches, h.sizes = append(h.batches, batch), append(h.sizes, size)
	h.rows += len(batch)
	h.bytes += size
	h.err = err
	l.dropPastLimit(err, oversized)
	l.heldCount.Store(uint64(h.rows))
}

// dropPastLimit drops the oldest held rows while they take more than the
// limit, counting them as failed along with the rows hold found larger
// than the limit alone (oversized, newer than any held row). Once the
// limit is reached, every new batch drops an old one: a line each, with
// their request ids, would flood the server log for as long as the
// database cannot write, so the first drop is logged and the later ones are counted in the "rows held"
// lines (and in the failed rows of Stats and the metrics).
func (l *Log) dropPastLimit(err error, oversized []router.Record) {
	h := &l.held
	var rows int
	var oldest router.Record
	if len(oversized) > 0 {
		oldest = oversized[0]
	}
	for h.bytes > h.limit && len(h.batches) > 0 {
		// Row by row, not a batch at a time: with --keep-prompts one
		// batch of long prompts can pass the limit alone, and would take
		// its newest rows, which fit, with it.
		b := h.batches[0]
		if rows == 0 {
			oldest = b[0]
		}
		size := batchBytes(b[:1])
		b[0] = router.Record{} // its prompt text goes now, not with the batch
		h.batches[0], h.sizes[0] = b[1:], h.sizes[0]-size
		h.rows--
		h.bytes -= size
		rows++
		if len(h.batches[0]) == 0 {
			h.pop()
		}
	}
	rows += len(oversized)
	if rows == 0 {
		return
	}
	l.failed.Add(uint64(rows))
	if h.dropped == 0 {
		l.logger.Error("decision log: held rows past the memory limit are dropped, oldest first; the rows held lines count them",
			"rows", rows, "limit_bytes", h.limit, "oldest_request_id", oldest.RequestID, "oldest_time", oldest.Time, "error", err)
	}
	h.dropped += rows
}

// retryHeld commits the held batches oldest first and stops at the first
// the database still cannot take. On close (final) that is the last try:
// the rows still held are lost, counted as failed and reported.
func (l *Log) retryHeld(final bool) {
	h := &l.held
	if len(h.batches) == 0 {
		return
	}
	for len(h.batches) > 0 {
		written, dups, err := l.commitRetrying(h.batches[0])
		switch {
		case err == nil:
			h.pop()
			l.committed(written, dups)
		case !cannotWrite(err):
			l.lose(h.pop(), err, "decision log: batch lost")
		case final:
			l.loseHeld(err)
			return
		default:
			h.err = err
			l.heldCount.Store(uint64(h.rows))
			if h.logged.IsZero() || time.Since(h.logged) >= heldLogEvery {
				h.logged = time.Now()
				l.logger.Warn("decision log: the database cannot write; rows held in memory",
					"rows", h.rows, "bytes", h.bytes, "limit_bytes", h.limit, "dropped", h.dropped, "held_since", h.since, "error", err)
			}
			return
		}
		l.heldCount.Store(uint64(h.rows))
	}
	l.logger.Info("decision log: the database writes again; the held rows are written",
		"held_since", h.since, "dropped", h.dropped)
}

// loseHeld gives up on every held row at close: they are counted as failed
// and reported in one line. The held rows are every row recorded since the
// database first refused, in order (less the oldest, dropped past the limit
// and logged then), so the oldest and newest of them say which calls' rows
// are missing. A line per held batch with its request ids was, at low
// traffic, a line per call: thousands of ERROR lines at exit after an hour
// of full disk.
func (l *Log) loseHeld(err error) {
	h := &l.held
	rows := h.rows
	oldest := h.batches[0][0]
	last := h.batches[len(h.batches)-1]
	newest := last[len(last)-1]
	for len(h.batches) > 0 {
		h.pop()
	}
	l.failed.Add(uint64(rows))
	l.heldCount.Store(0)
	l.logger.Error("decision log: closed while the database could not write; the rows held in memory are lost",
		"rows", rows, "held_since", h.since,
		"oldest_request_id", oldest.RequestID, "oldest_time", oldest.Time,
		"newest_request_id", newest.RequestID, "newest_time", newest.Time,
		"dropped", h.dropped, "error", err)
}

// batchBytes estimates the memory a held batch takes: each row's struct,
// the slices only it points to and its own text (catalog names are shared
// with the catalog and not counted).
func batchBytes(batch []router.Record) int64 {
	var n int64
	for i := range batch {
		r := &batch[i]
		n += int64(unsafe.Sizeof(*r)) +
			int64(len(r.Decision.Candidates))*int64(unsafe.Sizeof(router.Candidate{})) +
			int64(r.Decision.ModelsHeld())*int64(unsafe.Sizeof(router.Model{})) +
			int64(len(r.Attempts))*int64(unsafe.Sizeof(router.Attempt{})) +
			int64(len(r.RequestID)+len(r.PromptHash)+len(r.PromptText)+len(r.ErrorCode)+len(r.ResponseID)+len(r.KeyID)+len(r.TraceID))
		for _, a := range r.Attempts {
			n += int64(len(a.Error) + len(a.Shown))
		}
		for _, id := range r.OwnedIDs {
			n += int64(unsafe.Sizeof(id)) + int64(len(id))
		}
	}
	return n
}

// retryTimer spaces retries of held rows: armed while rows are held,
// doubling its wait after each retry that finds the database still unable
// to write, back to the first wait once nothing is held.
type retryTimer struct {
	t     *time.Timer
	armed bool
	delay time.Duration
}

func newRetryTimer() *retryTimer {
	t := time.NewTimer(heldRetryFirst)
	t.Stop()
	return &retryTimer{t: t, delay: heldRetryFirst}
}

// follow arms the timer while rows are held and stops it once none are.
func (r *retryTimer) follow(holding bool) {
	switch {
	case holding && !r.armed:
		r.t.Reset(r.delay)
		r.armed = true
	case !holding:
		if r.armed {
			r.t.Stop()
			r.armed = false
		}
		r.delay = heldRetryFirst
	}
}

// C is the timer's channel while armed, else nil (never ready).
func (r *retryTimer) C() <-chan time.Time {
	if r.armed {
		return r.t.C
	}
	return nil
}

// fired notes that the timer went off: the next retry waits longer.
func (r *retryTimer) fired() {
	r.armed = false
	r.delay = min(2*r.delay, heldRetryMax)
}

func (r *retryTimer) stop() { r.t.Stop() }
