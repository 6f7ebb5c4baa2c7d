package server

import (
	"context"
	"sync"
)

// AnswerLog says which model wrote a Responses API answer, from the
// decision log (see [Config.Answers]).
type AnswerLog interface {
	// AnsweredBy returns who wrote answer id (a zero Answer when no logged
	// decision produced it).
	AnsweredBy(ctx context.Context, responseID string) (Answer, error)
}

// Answer is who wrote a Responses API answer: the model, and the id of the
// client key it was written for ("" when none was needed).
type Answer struct {
	Model, KeyID string
	// PreviousResponseID is the answer its call continued ("" for none,
	// or not known): a read by id names it where the provider's stored
	// answer names none (the provider got a kept answer's conversation
	// whole).
	PreviousResponseID string
}

// recentAnswersCap bounds the answers remembered in memory. They only
// bridge the moments before a decision's row is written (the log writes
// in batches); the log holds the rest.
const recentAnswersCap = 10_000

// recentAnswers remembers which model wrote each recent Responses answer,
// oldest forgotten first. It is safe for concurrent use.
type recentAnswers struct {
	mu   sync.Mutex
	byID map[string]Answer
	ring []string // ids in the order remembered; next is the oldest
	next int
}

func (r *recentAnswers) put(id string, a Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = make(map[string]Answer)
	}
	if _, ok := r.byID[id]; ok {
		r.byID[id] = a
		return
	}
	if len(r.ring) < recentAnswersCap {
		r.ring = append(r.ring, id)
	} else {
		delete(r.byID, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % recentAnswersCap
	}
	r.byID[id] = a
}

func (r *recentAnswers) get(id string) (Answer, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.byID[id]
	return a, ok
}

// answeredBy returns who wrote Responses answer id: one of this process's
// recent answers, else the decision log's (a zero Answer when neither
// knows it).
func (s *Server) answeredBy(ctx context.Context, id string) (Answer, error) {
	if a, ok := s.recent.get(id); ok {
		return a, nil
	}
	if s.cfg.Answers == nil {
		return Answer{}, nil
	}
	return s.cfg.Answers.AnsweredBy(ctx, id)
}
