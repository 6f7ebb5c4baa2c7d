package server

import (
	"context"
	"sync"
)

// keptWrites tracks the kept answers being written. An answer waits for
// its row at most keepInline (a database another process holds the write
// lock of would hold its last bytes for seconds), so every lookup of
// a kept answer by id first waits for that id's write (wait): a
// continuation, read, delete or item_reference sent the moment the answer
// ends still finds it.
type keptWrites struct {
	mu sync.Mutex
	// pending holds, by response id, a channel closed once that answer's
	// write is over, written or given up on.
	pending map[string]chan struct{}
	closed  bool // shutting down: writes are no longer put off (FinishKeeping)
	// waiting counts the lookups in wait, for tests only (lookupsWaiting).
	// It stays: nothing outside wait sees a lookup there (the store is
	// read only after the write is over), and a signal from earlier, the
	// request reaching the handler, would let a test release the lock
	// before its lookups wait and pass without the wait it checks.
	waiting int
	// turn is held by the one write under way (writeTurn). SQLite writes
	// one at a time anyway, and while another process holds the lock
	// each write waiting in its busy timeout holds one of the store's
	// connections: answers that go out at once would soon hold them all,
	// and every call's key check would wait for one.
	turn chan struct{}
}

// writeTurn waits for the turn to write a kept answer and returns the
// func that ends it; ctx's error once ctx is done first.
func (w *keptWrites) writeTurn(ctx context.Context) (func(), error) {
	w.mu.Lock()
	if w.turn == nil {
		w.turn = make(chan struct{}, 1)
	}
	turn := w.turn
	w.mu.Unlock()
	select {
	case turn <- struct{}{}:
		return func() { <-turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start registers the write of answer id and returns the func that ends
// it; false when shutting down, where the caller writes before answering,
// as the store may close as soon as the last handler returns.
func (w *keptWrites) start(id string) (func(), bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, false
	}
	if w.pending == nil {
		w.pending = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	w.pending[id] = done
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.pending[id] == done {
			delete(w.pending, id)
		}
		close(done)
	}, true
}

// wait returns once no write of the answers ids is under way, or with
// ctx's error once ctx is done. An id not being written is not waited for.
// Each write gives up after keepTimeout, which bounds the wait, plus the
// store's busy timeout for one whose statement began just before then
// (SQLite's wait for a lock another process holds does not end with ctx).
func (w *keptWrites) wait(ctx context.Context, ids ...string) error {
	w.mu.Lock()
	var chans []chan struct{}
	for _, id := range ids {
		if done, ok := w.pending[id]; ok {
			chans = append(chans, done)
		}
	}
	w.waiting += len(chans)
	w.mu.Unlock()
	if len(chans) == 0 {
		return nil
	}
	defer func() {
		w.mu.Lock()
		w.waiting -= len(chans)
		w.mu.Unlock()
	}()
	for _, done := range chans {
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// waitAll waits, as wait does, for every write under way.
func (w *keptWrites) waitAll(ctx context.Context) error {
	w.mu.Lock()
	ids := make([]string, 0, len(w.pending))
	for id := range w.pending {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	return w.wait(ctx, ids...)
}

// lookupsWaiting counts the lookups waiting for a write (tests).
func (w *keptWrites) lookupsWaiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waiting
}

// FinishKeeping waits until the kept Responses answers still being written
// are written (or given up on, each after keepTimeout), or until ctx is
// done: then its error is returned and the writes left fail on the closed
// store, each with its warning. An answer kept from now on is written
// before it goes out, as the store may close once the last handler
// returns. Call it once the HTTP server has stopped serving and before the
// store closes.
func (s *Server) FinishKeeping(ctx context.Context) error {
	w := &s.keeping
	w.mu.Lock()
	w.closed = true
	left := len(w.pending)
	w.mu.Unlock()
	if left == 0 {
		return nil
	}
	err := w.waitAll(ctx)
	if err != nil {
		w.mu.Lock()
		left = len(w.pending)
		w.mu.Unlock()
		s.log.Warn("shutdown did not wait for every kept Responses answer to be written: those left cannot be continued by previous_response_id",
			"left", left)
	}
	return err
}
