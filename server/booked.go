package server

import (
	"context"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// UsageBook is a decision log that books a background answer's real usage
// (the store's Log is one): see [Config.Log].
type UsageBook interface {
	// BookUsage gives the decision row that made Responses answer
	// responseID the usage its provider reported once the answer was
	// over, at costUSD, when that row's usage is still the gateway's
	// estimate; was is the row as it stood. booked is false, and nothing
	// changes, when no row of the answer is estimated (booked already,
	// reported by the call itself, or not logged): a second read books
	// nothing.
	BookUsage(ctx context.Context, responseID string, usage router.Usage, costUSD float64) (was router.Record, booked bool, err error)
}

// JobEndBook is a decision log that keeps how a background answer's job
// ended (the store's Log is one): see [Config.Log].
type JobEndBook interface {
	// NoteJobEnd keeps status (completed, incomplete, failed or
	// cancelled) on the decision row that made Responses answer
	// responseID, the first time a read finds it over: a job that failed
	// or was cancelled has no answer to rate, nor an answer's length.
	NoteJobEnd(ctx context.Context, responseID, status string) error
}

// BudgetCorrector is a Budgets that takes the booked cost of a call it
// counted at an estimate (package budget's Tracker is one): usd is the
// difference, negative when the call cost less. It is called once the
// decision log has booked the cost, which a budget that reads the log
// finds there.
type BudgetCorrector interface {
	Correct(keyID string, usd float64, began time.Time)
}

// UsageObserver is an Observer that hears of a booked usage (metrics):
// was is the record as it was counted, now with the usage booked.
type UsageObserver interface {
	Booked(was, now router.Record)
}

// bookEnded queues the bookings of a read that found Responses answer id
// over: how its job ended, and the usage its provider reported, when the
// answer's row holds the gateway's estimate (a background call is logged
// when the provider takes its job, before the job has run, so its tokens
// and cost are the estimate until then). m is the model that wrote the
// answer, whose catalog prices cost it. The bookings run after the read
// is answered (bookings.go): an UPDATE waits on another process's write
// lock for up to busy_timeout, which is the gateway's bookkeeping, not the
// client's wait. The end is noted first, so a client that rates the
// answer once its read is answered is refused a failed job's rating as
// soon as the usage of a finished one is booked.
func (s *Server) bookEnded(id string, m router.Model, out upstream.Outcome) {
	if ends, ok := s.cfg.Log.(JobEndBook); ok && out.EndedStatus != "" {
		status := out.EndedStatus
		s.books.add(s, booking{what: "job end", id: id, write: func(ctx context.Context) { s.noteEnd(ctx, ends, id, status) }})
	}
	if _, ok := s.cfg.Log.(UsageBook); !ok || !out.Ended {
		return
	}
	u := out.EndedUsage
	cost := u.Cost(m)
	s.books.add(s, booking{what: "usage", id: id, write: func(ctx context.Context) { s.book(ctx, id, u, cost) }})
}

// noteEnd books how a job ended.
func (s *Server) noteEnd(ctx context.Context, ends JobEndBook, id, status string) {
	ctx, cancel := context.WithTimeout(ctx, bookTimeout)
	defer cancel()
	if err := ends.NoteJobEnd(ctx, id, status); err != nil {
		s.log.Warn("could not note how a background answer's job ended; a later read notes it",
			"response_id", id, "status", status, "err", err)
	}
}

// book books one queued usage; the key's budget and the metrics, which
// counted the estimate when the call ended, count the difference.
func (s *Server) book(ctx context.Context, id string, usage router.Usage, cost float64) {
	book := s.cfg.Log.(UsageBook)
	ctx, cancel := context.WithTimeout(ctx, bookTimeout)
	defer cancel()
	was, booked, err := book.BookUsage(ctx, id, usage, cost)
	if err != nil {
		s.log.Warn("could not book the usage of a background answer; its decision row keeps the estimate until a later read books it",
			"response_id", id, "err", err)
		return
	}
	if !booked {
		return
	}
	if bc, ok := s.cfg.Budgets.(BudgetCorrector); ok {
		bc.Correct(was.KeyID, cost-was.CostUSD, was.Time)
	}
	if o, ok := s.cfg.Observer.(UsageObserver); ok {
		// Only a call routed in a deployment that exists is answered.
		was.DeploymentFound = true
		now := was
		now.Usage, now.CostUSD, now.UsageEstimated = usage, cost, false
		o.Booked(was, now)
	}
}

// bookTimeout bounds a booking: a database another process keeps locked
// must not hold the bookings queued behind it for long, and a later read
// books what this one could not.
const bookTimeout = 10 * time.Second
