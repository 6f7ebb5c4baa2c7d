package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// keptWrites holds the kept answers waiting for their row and writes them,
// oldest first, on one goroutine (drain). An answer waits for its row at
// most keepInline (a database another process holds the write lock of
// would hold its last bytes for as long), so every lookup of a kept answer
// by id, by a key that may use it, first waits a while for that id's write
// (wait): a continuation, read, delete or item_reference sent the moment
// the answer ends still finds it.
//
// A write the database cannot take for now (another process's write lock,
// a full disk: the store's EUnavailable) is tried again until it is
// written, for as long as maxAge; a write that fails otherwise is tried
// keptMaxFailures times. One at a time: SQLite writes one at a time anyway, and
// while another process holds the lock each write waiting in its busy
// timeout holds one of the store's connections, so answers that go out at
// once would soon hold them all, and every call's key check would wait.
type keptWrites struct {
	lim  keptLimits
	put  func(context.Context, StoredResponse) error
	warn func(id string, err error)

	mu sync.Mutex
	// queue holds the writes not yet over, oldest first; byID the same.
	queue []*keptWrite
	byID  map[string]*keptWrite
	bytes int64 // of the rows in queue (keptWrite.size)
	// draining: the writer goroutine runs.
	draining bool
	// closed: shutting down; writes are no longer put off and the writer
	// pauses at most 50 ms between tries (FinishKeeping closes wake).
	closed bool
	wake   chan struct{} // set once, by newKeptWrites; read without mu
	// stop makes the try under way the last once FinishKeeping gives up.
	// It does not cut short a try waiting out the busy timeout (the
	// driver's interrupt does not end SQLite's busy wait), so that answer
	// is warned of by drain when its try ends, up to 5 s after
	// FinishKeeping returns: within the store's close, whose decision log
	// waits as long for the same lock.
	stopCtx context.Context
	stop    context.CancelFunc
	// pending (len(queue)) and givenUp are for /metrics (counts): they
	// change under mu but are read without it, so a scrape never waits
	// for an add going through a long queue.
	pending atomic.Int64
	givenUp atomic.Uint64
	// waiting counts the lookups in wait, for tests only (lookupsWaiting).
	// It stays: nothing outside wait sees a lookup there (the store is
	// read only after the write is over), and a signal from earlier, the
	// request reaching the handler, would let a test release the lock
	// before its lookups wait and pass without the wait it checks.
	waiting int
}

// keptLimits are keptWrites' bounds; a zero field means its default
// (withDefaults). Tests shorten them through Config.keptLimits.
type keptLimits struct {
	// lookupWait bounds how long a lookup by id waits for the answer's
	// write before it is answered 503: 5 s, as long as a lookup waited
	// when a write was given up after 5 s.
	lookupWait time.Duration
	// retryPause is the wait between two tries of a write. A try itself
	// waits the store's busy timeout (5 s) while another process holds
	// the lock, so the pause only spaces the tries of a shorter one.
	retryPause time.Duration
	// maxAge bounds how long a write the database cannot take is tried.
	maxAge time.Duration
	// maxBytes bounds the rows held for writes: past it the oldest is
	// given up (the newest is always held).
	maxBytes int64
}

const (
	// keptLookupWait is keptLimits.lookupWait's default.
	keptLookupWait = 5 * time.Second
	// keptRetryPause is keptLimits.retryPause's default.
	keptRetryPause = time.Second
	// keptMaxAge is keptLimits.maxAge's default: a client whose
	// continuation has been answered 503 for 10 minutes has moved on, or
	// sent its conversation whole, and a lock held that long is an
	// operator's session left open, which the WARN lines point to.
	keptMaxAge = 10 * time.Minute
	// keptMaxBytes is keptLimits.maxBytes's default: a kept row holds
	// the call's input, its output and the response object, a few KiB
	// for most answers, so tens of thousands of them, or three calls at
	// the default 20 MiB body limit; the decision log holds its rows in
	// 256 MiB of its own (store.DefaultHeldLimit).
	keptMaxBytes = 64 << 20
	// keptMaxFailures is how many times a write that fails for another
	// reason than the database being unable to write for now is tried.
	keptMaxFailures = 3
	// keptRetryAfter is the Retry-After of a lookup answered 503: the
	// retried lookup waits for the write again, so an early retry loses
	// nothing.
	keptRetryAfter = time.Second
)

func (l keptLimits) withDefaults() keptLimits {
	if l.lookupWait <= 0 {
		l.lookupWait = keptLookupWait
	}
	if l.retryPause <= 0 {
		l.retryPause = keptRetryPause
	}
	if l.maxAge <= 0 {
		l.maxAge = keptMaxAge
	}
	if l.maxBytes <= 0 {
		l.maxBytes = keptMaxBytes
	}
	return l
}

// keptWrite is one answer waiting for its row.
type keptWrite struct {
	row    StoredResponse
	size   int64
	queued time.Time
	// done is closed once the write is over, written or given up on.
	done chan struct{}
	// underWay: the writer is trying it; givenUp (with why) then makes
	// the writer give it up after that try, unless the try wrote it.
	underWay bool
	givenUp  error
	failures int // tries that failed for another reason than cannotWriteNow
}

// errKeptOverBound and errKeptShutdown say why a write was given up.
var (
	errKeptOverBound = errors.New("the answers waiting for the database to write them are over the memory bound; the oldest is given up")
	errKeptShutdown  = errors.New("the gateway shut down before the database took the answer")
	// errKeptLookupWait ends a lookup's wait (lookupWait).
	errKeptLookupWait = errors.New("the answer is still being written")
)

func newKeptWrites(l keptLimits, put func(context.Context, StoredResponse) error, warn func(string, error)) *keptWrites {
	w := &keptWrites{lim: l.withDefaults(), put: put, warn: warn, byID: map[string]*keptWrite{}, wake: make(chan struct{})}
	w.stopCtx, w.stop = context.WithCancel(context.Background())
	return w
}

// add queues the write of row and returns the channel closed once it is
// over; false when shutting down, where the caller writes before answering,
// as the store may close as soon as the last handler returns.
func (w *keptWrites) add(row StoredResponse) (<-chan struct{}, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, false
	}
	p := &keptWrite{row: row, size: int64(len(row.ID) + len(row.PreviousID) + len(row.Model) + len(row.KeyID) +
		len(row.Input) + len(row.Output) + len(row.Body)), queued: time.Now(), done: make(chan struct{})}
	w.queue = append(w.queue, p)
	w.pending.Store(int64(len(w.queue)))
	w.byID[row.ID] = p
	w.bytes += p.size
	// Oldest first, the newest held whatever its size; one given up
	// already (under way, see giveUpLocked) no longer counts. No copy of
	// the queue: under a long lock it holds tens of thousands of answers,
	// and every add would copy them all.
	for i := 0; w.bytes > w.lim.maxBytes && i < len(w.queue)-1; {
		old := w.queue[i]
		if old.givenUp == nil {
			w.giveUpLocked(old, errKeptOverBound) // removes it unless under way
		}
		if i < len(w.queue) && w.queue[i] == old {
			i++ // still there: under way
		}
	}
	if !w.draining {
		w.draining = true
		go w.drain()
	}
	return p.done, true
}

// giveUpLocked gives up p, with its warning: at once when it is not being
// tried, else once its try is over (drain). Its row no longer counts
// towards maxBytes either way. The warning comes before the write ends, so
// a lookup told 404 finds it logged.
func (w *keptWrites) giveUpLocked(p *keptWrite, why error) {
	if p.givenUp == nil {
		w.bytes -= p.size
	}
	p.givenUp = why
	if !p.underWay {
		w.notKept(p.row.ID, why)
		w.removeLocked(p)
	}
}

// notKept warns of an answer given up, which /metrics counts (counts).
func (w *keptWrites) notKept(id string, why error) {
	w.givenUp.Add(1)
	w.warn(id, why)
}

// counts returns how many answers wait for their row (the one being tried
// included) and how many were given up since the start, each warned of.
func (w *keptWrites) counts() (pending int, givenUp uint64) {
	return int(w.pending.Load()), w.givenUp.Load()
}

// removeLocked ends p's write.
func (w *keptWrites) removeLocked(p *keptWrite) {
	switch i := slices.Index(w.queue, p); {
	case i == 0:
		// The writer's usual case: no shift of the whole queue, which
		// after a long lock would make its drain quadratic.
		w.queue[0] = nil
		w.queue = w.queue[1:]
	case i > 0:
		w.queue = slices.Delete(w.queue, i, i+1)
	}
	w.pending.Store(int64(len(w.queue)))
	if w.byID[p.row.ID] == p {
		delete(w.byID, p.row.ID)
	}
	if p.givenUp == nil {
		w.bytes -= p.size
	}
	close(p.done)
}

// drain writes the queued answers, oldest first, until none is left.
func (w *keptWrites) drain() {
	for {
		w.mu.Lock()
		if len(w.queue) == 0 || w.stopCtx.Err() != nil {
			w.draining = false
			w.mu.Unlock()
			return
		}
		p := w.queue[0]
		p.underWay = true
		w.mu.Unlock()

		err := w.put(w.stopCtx, p.row)

		w.mu.Lock()
		p.underWay = false
		again := w.settleLocked(p, err)
		w.mu.Unlock()
		if again {
			w.pause()
		}
	}
}

// settleLocked ends p's write after a try that ended with err, or gives
// up the writes past their bounds; true when p is to be tried again.
func (w *keptWrites) settleLocked(p *keptWrite, err error) bool {
	switch {
	case err == nil:
		w.removeLocked(p)
		return false
	case p.givenUp != nil:
		w.notKept(p.row.ID, fmt.Errorf("%w (%w)", p.givenUp, err))
		w.removeLocked(p)
		return false
	case !cannotWriteNow(err):
		p.failures++
		if p.failures >= keptMaxFailures {
			w.giveUpLocked(p, err)
			return false
		}
		return true
	}
	// The database cannot write for now: the writes held past maxAge,
	// oldest first, would meet the same database.
	for len(w.queue) > 0 && time.Since(w.queue[0].queued) >= w.lim.maxAge {
		w.giveUpLocked(w.queue[0], fmt.Errorf("not written within %s: %w", w.lim.maxAge, err))
	}
	return w.byID[p.row.ID] == p
}

// cannotWriteNow reports a write the database could not take for now
// (the store's EUnavailable: another process's write lock held past the
// busy timeout, a full or read-only disk), which waiting may mend.
func cannotWriteNow(err error) bool { return router.ErrorCode(err) == router.EUnavailable }

// pause waits between two tries: retryPause, or at most 50 ms once
// shutting down, where FinishKeeping's bound is what is left for them.
func (w *keptWrites) pause() {
	t := time.NewTimer(w.lim.retryPause)
	defer t.Stop()
	select {
	case <-t.C:
		return
	case <-w.wake:
	}
	select {
	case <-time.After(min(w.lim.retryPause, 50*time.Millisecond)):
	case <-w.stopCtx.Done():
	}
}

// wait returns once no write of the answers ids is under way, or with
// ctx's error once ctx is done. An id not being written is not waited for.
// One still being written after lookupWait is answered 503 unavailable
// with a Retry-After: the answer exists and is found once written.
//
// Nor is an answer the caller may not use (mayUse of its key) waited for:
// its id is returned in foreign, which the caller refuses as it refuses
// another key's answer once written, at once. Waiting, then a 503, would
// tell another key that the id exists.
func (w *keptWrites) wait(ctx context.Context, mayUse func(owner string) bool, ids ...string) (foreign map[string]bool, err error) {
	own, foreign := w.pendingFor(mayUse, ids)
	if len(own) == 0 {
		return foreign, nil // most calls: no timer
	}
	ctx, cancel := context.WithTimeoutCause(ctx, w.lim.lookupWait, errKeptLookupWait)
	defer cancel()
	id, err := w.waitFor(ctx, own...)
	if err != nil && context.Cause(ctx) == errKeptLookupWait {
		return nil, &router.Error{Code: router.EUnavailable, RetryAfter: keptRetryAfter, Message: fmt.Sprintf(
			"the answer %s is still being written: the gateway's database cannot write for now (another process holds its write lock, or the disk is full); retry it later", id)}
	}
	return foreign, err
}

// pendingFor splits the ids being written into those the caller may use
// (own) and the others (foreign); both are nil when none is written.
func (w *keptWrites) pendingFor(mayUse func(owner string) bool, ids []string) (own []string, foreign map[string]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		p, ok := w.byID[id]
		switch {
		case !ok:
		case mayUse(p.row.KeyID):
			own = append(own, id)
		default:
			if foreign == nil {
				foreign = map[string]bool{}
			}
			foreign[id] = true
		}
	}
	return own, foreign
}

// waitFor waits, with no bound but ctx, for the writes of ids; on ctx's
// error it returns the id still being written.
func (w *keptWrites) waitFor(ctx context.Context, ids ...string) (string, error) {
	w.mu.Lock()
	var pending []*keptWrite
	for _, id := range ids {
		if p, ok := w.byID[id]; ok {
			pending = append(pending, p)
		}
	}
	w.waiting += len(pending)
	w.mu.Unlock()
	if len(pending) == 0 {
		return "", nil
	}
	defer func() {
		w.mu.Lock()
		w.waiting -= len(pending)
		w.mu.Unlock()
	}()
	for _, p := range pending {
		select {
		case <-p.done:
		case <-ctx.Done():
			return p.row.ID, ctx.Err()
		}
	}
	return "", nil
}

// waitAll waits for every write under way, with no bound but ctx.
func (w *keptWrites) waitAll(ctx context.Context) error {
	w.mu.Lock()
	ids := make([]string, 0, len(w.byID))
	for id := range w.byID {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	_, err := w.waitFor(ctx, ids...)
	return err
}

// lookupsWaiting counts the lookups waiting for a write (tests).
func (w *keptWrites) lookupsWaiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waiting
}

// FinishKeeping waits until the kept Responses answers still being written
// are written (or given up on), or until ctx is done: meanwhile they are
// tried again with at most 50 ms between tries (pause). Those left then
// are given up, each with its warning, and ctx's error is returned. An
// answer kept from now on is written before it goes out, as the store may
// close once the last handler returns. Call it once the HTTP server has
// stopped serving and before the store closes.
func (s *Server) FinishKeeping(ctx context.Context) error {
	w := s.keeping
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.wake)
	}
	left := len(w.queue)
	w.mu.Unlock()
	if left == 0 {
		return nil
	}
	err := w.waitAll(ctx)
	if err != nil {
		w.mu.Lock()
		for _, p := range slices.Clone(w.queue) {
			w.giveUpLocked(p, errKeptShutdown)
		}
		w.mu.Unlock()
		// The try under way is the last (its answer warned of by drain
		// once it ends, see stopCtx), and none follows.
		w.stop()
	}
	return err
}

// KeptAnswers returns how many kept Responses answers wait for their row
// (another process holding the database's write lock holds them up) and
// how many were given up since the start, each with its warning: past
// their age or memory bound, a write that failed otherwise, a shutdown.
// It takes no lock, for a scrape of /metrics.
func (s *Server) KeptAnswers() (pending int, givenUp uint64) { return s.keeping.counts() }
