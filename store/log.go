package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

var _ router.DecisionLog = (*Log)(nil)

// Log is the decision log. Record hands a row to one writer goroutine that
// commits rows in batches; Record never waits for the database and never
// drops a row while the log is open. Rows the database cannot take for
// lack of space, a failing disk or another process's write lock are held
// in memory and retried until it can (see hold), up to a memory limit.
type Log struct {
	db        *sql.DB
	ch        chan router.Record
	batchSize int
	logger    *slog.Logger
	now       func() time.Time
	closeWait time.Duration
	// commitEvery spaces commits: after a row arrives the writer waits
	// this long, rows queueing meanwhile, then commits them together.
	commitEvery time.Duration
	// insert is the INSERT prepared once; each transaction reuses it on
	// its connection instead of preparing it again.
	insert *sql.Stmt

	// gate orders Record against Close: Close flips closed under the write
	// lock, so no Record is half-way through enqueueing when the writer
	// does its final drain.
	gate   sync.RWMutex
	closed bool

	// overflow takes rows when ch is full, in chunks of batchSize rows: it
	// grows without copying and the writer commits a chunk as one batch.
	// kick (capacity 1) tells the writer it has rows.
	mu       sync.Mutex
	overflow [][]router.Record
	kick     chan struct{}

	flushReq  chan chan error
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	// held are the batches the database could not take (SQLITE_FULL,
	// SQLITE_IOERR, SQLITE_READONLY, SQLITE_BUSY, SQLITE_LOCKED: see
	// cannotWrite), oldest first, waiting for a retry;
	// only the writer goroutine touches these fields.
	held heldRows

	recorded, written, overflowed, duplicates, failed, rejected, commits, heldCount atomic.Uint64
	// flushReported is how many failed rows Flush has already reported;
	// only the writer goroutine touches it.
	flushReported uint64
}

// LogStats are the decision log's counters since Open.
type LogStats struct {
	Recorded   uint64 // rows handed to Record while open
	Written    uint64 // rows committed
	Overflowed uint64 // rows that found the channel full and waited in the overflow list
	Duplicates uint64 // rows skipped because their request id was already logged
	Failed     uint64 // rows lost because the database kept failing, or dropped past the held-rows memory limit
	Held       uint64 // rows the database could not take yet, held in memory for a retry (part of Pending)
	Rejected   uint64 // rows handed to Record after Close, not written
	Commits    uint64 // transactions committed (each holds one or more rows)
}

// Pending is the number of recorded rows not yet committed or given up on.
// The counters are read one by one while the writer runs, so a row can be
// counted as done without its Record having been counted yet; Pending is
// then 0, never a wrapped-around huge number.
func (s LogStats) Pending() uint64 {
	done := s.Written + s.Duplicates + s.Failed
	if done >= s.Recorded {
		return 0
	}
	return s.Recorded - done
}

func newLog(db *sql.DB, buffer, batchSize int, commitEvery time.Duration, heldLimit int64, logger *slog.Logger) (*Log, error) {
	insert, err := db.Prepare(insertDecision)
	if err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	l := &Log{
		db:          db,
		insert:      insert,
		commitEvery: commitEvery,
		ch:          make(chan router.Record, buffer),
		batchSize:   batchSize,
		logger:      logger,
		now:         time.Now,
		kick:        make(chan struct{}, 1),
		flushReq:    make(chan chan error),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
		held:        heldRows{limit: heldLimit},
	}
	go l.run()
	return l, nil
}

// Record implements [router.DecisionLog.Record]. It never blocks on the
// database: when the channel is full the row goes to an overflow list. A
// zero Time is set to now. Records after Close are counted as failed and
// reported, not written.
func (l *Log) Record(r router.Record) {
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	l.gate.RLock()
	defer l.gate.RUnlock()
	if l.closed {
		l.rejected.Add(1)
		l.logger.Error("decision log closed; record dropped", "request_id", r.RequestID)
		return
	}
	l.recorded.Add(1)
	select {
	case l.ch <- r:
	default:
		l.mu.Lock()
		if n := len(l.overflow); n == 0 || len(l.overflow[n-1]) == l.batchSize {
			l.overflow = append(l.overflow, make([]router.Record, 0, l.batchSize))
		}
		last := len(l.overflow) - 1
		l.overflow[last] = append(l.overflow[last], r)
		l.mu.Unlock()
		l.overflowed.Add(1)
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

// Flush waits until every row recorded before the call is committed, held
// for a retry because the database cannot take it, or given up on; it
// retries the held rows once more first. It returns an error counting the
// rows lost since the previous Flush and the rows still held, and ctx's
// error if ctx ends first.
func (l *Log) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case l.flushReq <- reply:
	case <-l.done:
		return nil // closed: the final drain already handled every row
	case <-ctx.Done():
		return fmt.Errorf("flush decision log: %w", ctx.Err())
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush decision log: %w", ctx.Err())
	}
}

// Close stops accepting rows, commits everything recorded and stops the
// writer. Rows held because the database cannot write get one more try,
// not a wait for space or for another process's lock (the try waits for
// the lock no longer than busy_timeout): those it still refuses are lost
// and counted. It returns ctx's error if the drain outlasts ctx, and an
// error if any row could not be written since Open.
func (l *Log) Close(ctx context.Context) error {
	l.closeOnce.Do(func() {
		l.gate.Lock()
		l.closed = true
		l.gate.Unlock()
		close(l.stop)
	})
	select {
	case <-l.done:
	case <-ctx.Done():
		return fmt.Errorf("close decision log: %d records not written: %w", l.Stats().Pending(), ctx.Err())
	}
	if n := l.failed.Load(); n > 0 {
		return fmt.Errorf("close decision log: %d records could not be written", n)
	}
	return nil
}

// Stats returns the log's counters.
func (l *Log) Stats() LogStats {
	return LogStats{
		Recorded:   l.recorded.Load(),
		Written:    l.written.Load(),
		Overflowed: l.overflowed.Load(),
		Duplicates: l.duplicates.Load(),
		Failed:     l.failed.Load(),
		Rejected:   l.rejected.Load(),
		Commits:    l.commits.Load(),
		Held:       l.heldCount.Load(),
	}
}

// run is the single writer. It commits whatever has queued up while it
// waited commitEvery after the first row and while the previous commit ran
// ("group commit"). The wait is what keeps the writer off the CPU under
// load: without it, every request's row wakes the writer for a transaction
// of its own (three SQLite calls and a WAL write), on the CPUs that serve
// requests.
func (l *Log) run() {
	defer close(l.done)
	defer l.insert.Close()
	batch := make([]router.Record, 0, l.batchSize)
	var wait *time.Timer
	if l.commitEvery > 0 {
		wait = time.NewTimer(l.commitEvery)
		wait.Stop()
	}
	retry := newRetryTimer()
	defer retry.stop()
	for {
		retry.follow(len(l.held.batches) > 0)
		select {
		case r := <-l.ch:
			batch = append(batch[:0], r)
			var flush chan error
			if wait != nil && len(l.ch) < l.batchSize-1 {
				wait.Reset(l.commitEvery)
				select {
				case <-wait.C:
				case <-l.stop: // Close: commit now, then drain
					wait.Stop()
				case flush = <-l.flushReq: // Flush: no more waiting
					wait.Stop()
				}
			}
			for len(batch) < l.batchSize && len(l.ch) > 0 {
				batch = append(batch, <-l.ch)
			}
			l.write(batch)
			if flush != nil {
				l.drain(len(l.ch))
				flush <- l.flushed()
			}
		case <-l.kick:
			for _, chunk := range l.takeOverflow() {
				l.write(chunk)
			}
		case reply := <-l.flushReq:
			// Rows recorded before Flush was called are at the head of the
			// channel or in the overflow list now.
			l.drain(len(l.ch))
			reply <- l.flushed()
		case <-retry.C():
			retry.fired()
			l.retryHeld(false)
		case <-l.stop:
			// closed is set, so nothing new arrives: drain it all, then
			// give the held rows their last try.
			l.drain(len(l.ch))
			l.retryHeld(true)
			return
		}
	}
}

// drain writes n rows from the channel and the whole overflow list.
func (l *Log) drain(n int) {
	batch := make([]router.Record, 0, l.batchSize)
	for i := range n {
		batch = append(batch, <-l.ch)
		if len(batch) == l.batchSize || i == n-1 {
			l.write(batch)
			batch = batch[:0]
		}
	}
	for _, chunk := range l.takeOverflow() {
		l.write(chunk)
	}
}

// flushed answers a Flush: the held rows are tried once more (they were
// recorded before it), then the rows lost since the previous Flush and
// those still held are reported.
func (l *Log) flushed() error {
	l.retryHeld(false)
	var errs []error
	failed := l.failed.Load()
	if lost := failed - l.flushReported; lost > 0 {
		errs = append(errs, fmt.Errorf("decision log: %d records could not be written", lost))
	}
	l.flushReported = failed
	if n := l.held.rows; n > 0 {
		errs = append(errs, fmt.Errorf("decision log: %d records held in memory, not written yet: %w", n, l.held.err))
	}
	return errors.Join(errs...)
}

func (l *Log) takeOverflow() [][]router.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	rows := l.overflow
	l.overflow = nil
	return rows
}

// retryDelays space out retries of a batch that failed for a reason
// cannotWrite does not know, which may be this moment's. A database that
// cannot write for now (a full or failing disk, another process's lock
// past busy_timeout) is waited out instead: see hold. Neither retry
// schedule may stall the writer for long: rows keep coming meanwhile, and
// only the held rows are bounded in memory.
var retryDelays = []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 1600 * time.Millisecond}

// write commits one batch, retrying transient failures. A batch the
// database cannot take for now (see cannotWrite) is held for later; one
// that keeps failing otherwise is counted as failed and its request ids
// are logged.
func (l *Log) write(batch []router.Record) {
	if len(l.held.batches) > 0 {
		// Rows keep their order: a batch waits behind the held ones
		// rather than meet the same full disk or lock.
		l.hold(batch, l.held.err)
		return
	}
	written, dups, err := l.commitRetrying(batch)
	switch {
	case err == nil:
		l.committed(written, dups)
	case cannotWrite(err):
		l.hold(batch, err)
	default:
		l.lose(batch, err, "decision log: batch lost")
	}
}

// commitRetrying commits a batch, retrying it after retryDelays while it
// fails for another reason than cannotWrite.
func (l *Log) commitRetrying(batch []router.Record) (written, dups int, err error) {
	written, dups, err = l.commit(batch)
	for _, d := range retryDelays {
		if err == nil || cannotWrite(err) {
			break
		}
		l.logger.Warn("decision log: batch failed, retrying", "rows", len(batch), "error", err, "retry_in", d)
		time.Sleep(d)
		written, dups, err = l.commit(batch)
	}
	return written, dups, err
}

func (l *Log) committed(written, dups int) {
	l.written.Add(uint64(written))
	l.duplicates.Add(uint64(dups))
	if dups > 0 {
		l.logger.Warn("decision log: duplicate request ids skipped", "rows", dups)
	}
}

// lose counts a batch as failed and logs its request ids under msg.
func (l *Log) lose(batch []router.Record, err error, msg string) {
	ids := make([]string, len(batch))
	for i, r := range batch {
		ids[i] = r.RequestID
	}
	l.failed.Add(uint64(len(batch)))
	l.logger.Error(msg, "rows", len(batch), "error", err, "request_ids", ids)
}

// commit inserts a batch in one transaction and returns how many rows were
// new and how many repeated an already logged request id.
func (l *Log) commit(batch []router.Record) (written, dups int, err error) {
	ctx := context.Background()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, l.insert)
	defer stmt.Close()
	for _, r := range batch {
		res, err := stmt.ExecContext(ctx, decisionArgs(r)...)
		if err != nil {
			return 0, 0, fmt.Errorf("insert %s: %w", r.RequestID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			written++
		} else {
			dups++
			continue
		}
		if err := ownIDs(ctx, tx, r.KeyID, r.OwnedIDs, r.Time); err != nil {
			return 0, 0, fmt.Errorf("insert %s: %w", r.RequestID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	l.commits.Add(1)
	return written, dups, nil
}
