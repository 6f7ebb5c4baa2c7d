package server

import (
	"context"
	"sync"
	"time"
)

// booking is one database write of the bookkeeping a read of a stored
// answer leaves for after its answer: how a background answer's job
// ended and its usage (bookEnded), or the item ids the read gave its key
// (ownRead).
type booking struct {
	what  string // what it writes, for the logs
	id    string // the answer read
	write func(ctx context.Context)
}

// maxQueuedBookings bounds the bookings waiting for the database: while
// another process holds its write lock each may wait busy_timeout, and
// reads keep coming. One past the bound is dropped: a usage's row keeps
// the estimate until a later read of the answer books it, and item ids
// are known to this process only.
const maxQueuedBookings = 1024

// bookings runs the bookings of reads already answered, in order, on one
// goroutine that starts when one is queued and ends when none is left, so
// an idle server holds no goroutine. One worker is enough: bookings are
// rare (a background job's usage once; item ids when a read first gives
// them) and each is a single statement, which SQLite serializes anyway.
type bookings struct {
	mu      sync.Mutex
	queue   []booking
	running bool // a worker is booking the queue
	// taken counts the bookings queued, done those written (or given up
	// on), over every worker: a rating waits until done reaches taken as
	// it was when the rating came (settled). progress, when not nil, is
	// closed the next time done grows or the worker ends.
	taken, done uint64
	progress    chan struct{}
	// parked, when set (a test), is called as a rating starts to wait.
	parked func()
	// settleWait, when set (a test), replaces ratingWaitsForBookings.
	settleWait time.Duration
	closed     bool // shutting down: no more are taken (FinishBookings)
	dropped    int  // taken neither for a full queue nor after closing
	// worker is the running worker, waited for at shutdown; added to only
	// under mu and before closed, so never while FinishBookings waits.
	worker sync.WaitGroup
	// stop cancels the bookings still running or queued when shutdown
	// stops waiting for them.
	stop     context.Context
	stopOnce sync.Once
	cancel   context.CancelFunc
}

// add queues b and starts a worker if none runs.
func (q *bookings) add(s *Server, b booking) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || len(q.queue) >= maxQueuedBookings {
		q.dropped++
		if q.dropped == 1 {
			// Once: a database locked for minutes would log every read.
			s.log.Warn("too many reads' bookings waiting for the database, or shutting down: this one and any more dropped are not written; a background answer's decision row keeps the estimate until a later read books it, and item ids a read gave its key are known to this process only",
				"booking", b.what, "response_id", b.id, "queued", len(q.queue), "shutting_down", q.closed)
		}
		return
	}
	q.stopOnce.Do(func() { q.stop, q.cancel = context.WithCancel(context.Background()) })
	q.queue = append(q.queue, b)
	q.taken++
	if !q.running {
		q.running = true
		q.worker.Add(1)
		go q.run(s)
	}
}

// run books the queue until it is empty.
func (q *bookings) run(s *Server) {
	defer q.worker.Done()
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.running = false
			q.advanced()
			q.mu.Unlock()
			return
		}
		b := q.queue[0]
		q.queue[0] = booking{}
		q.queue = q.queue[1:]
		ctx := q.stop
		q.mu.Unlock()
		s.bookSafely(ctx, b)
		q.mu.Lock()
		q.done++
		q.advanced()
		q.mu.Unlock()
	}
}

// advanced wakes the ratings waiting in settled; q.mu is held.
func (q *bookings) advanced() {
	if q.progress != nil {
		close(q.progress)
		q.progress = nil
	}
}

// ratingWaitsForBookings bounds how long a rating waits for the bookings
// queued before it. Each is one short statement, so they are normally
// written in milliseconds, and 5 s (the store's busy timeout) lets the
// one under way outlast a brief lock another process holds (a `keys`
// command). Under a database locked longer, each of up to
// maxQueuedBookings may take bookTimeout: unbounded, a rating would hang
// for minutes. Past the bound it goes on and meets the database as any
// call does; a job whose end is still unbooked then takes its rating.
const ratingWaitsForBookings = 5 * time.Second

// settled returns once the bookings queued so far are written (at once
// when none is), when ctx is done, or after ratingWaitsForBookings. A
// rating waits here: a client that reads a background answer, finds its
// job failed and rates it at once must be refused, not beat the booking
// of how the job ended. Bookings queued after it do not hold it: while
// reads keep coming the queue may never be empty.
func (q *bookings) settled(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	wait := ratingWaitsForBookings
	if q.settleWait > 0 {
		wait = q.settleWait
	}
	var bound <-chan time.Time // started when there is something to wait for
	// Bookings dropped at shutdown are never done, but their worker ends.
	for due := q.taken; q.running && q.done < due; {
		if q.progress == nil {
			q.progress = make(chan struct{})
		}
		progress := q.progress
		q.mu.Unlock()
		if bound == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			bound = t.C
			if q.parked != nil {
				q.parked()
			}
		}
		select {
		case <-progress:
		case <-bound:
			q.mu.Lock()
			return
		case <-ctx.Done():
			q.mu.Lock()
			return
		}
		q.mu.Lock()
	}
}

// bookSafely writes b; a panic in it is logged, as a handler's is, rather
// than ending the process from a goroutine no handler recovers.
func (s *Server) bookSafely(ctx context.Context, b booking) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in a read's booking", "booking", b.what, "response_id", b.id, "panic", r)
		}
	}()
	b.write(ctx)
}

// FinishBookings stops taking bookings and waits until those queued by
// reads already answered (background answers' usage, item ids given to a
// key) are written, or until ctx is done: then the one under way is
// interrupted and the rest are not written (usage rows keep the estimate),
// and ctx's error is returned. Call it once the HTTP server has stopped
// serving and before the decision log and the owned-ids store close; a
// read answered after it writes nothing.
func (s *Server) FinishBookings(ctx context.Context) error {
	q := &s.books
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		q.worker.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		q.mu.Lock()
		left := len(q.queue)
		q.queue = nil
		if q.cancel != nil {
			q.cancel()
		}
		q.mu.Unlock()
		s.log.Warn("shutdown did not wait for every read's booking: the one under way is interrupted; the decision rows of usage not booked keep the estimate until a later read books them, and item ids not recorded are not known after the restart",
			"queued", left)
		// The interrupted UPDATE returns within busy_timeout at most.
		<-done
	}
	q.mu.Lock()
	dropped := q.dropped
	q.mu.Unlock()
	if dropped > 0 {
		s.log.Warn("reads' bookings dropped (queue full or shutting down): usage rows keep the estimate until a later read books them, and item ids not recorded are not known after the restart",
			"dropped", dropped)
	}
	return err
}
