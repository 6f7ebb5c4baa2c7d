package server

import (
	"context"
	"sync"
)

// AnswerLog says which model wrote a Responses API answer, from the
// decision log (see [Config.Answers]).
type AnswerLog interface {
	// AnsweredBy returns the id of the model that wrote answer id, or ""
	// when no logged decision produced it.
	AnsweredBy(ctx context.Context, responseID string) (string, error)
}

// recentAnswersCap bounds the answers remembered in memory. They only
// bridge the moments before a decision's row is written (the log writes
// in batches); the log holds the rest.
const recentAnswersCap = 10_000

// recentAnswers remembers which model wrote each recent Responses answer,
// oldest forgotten first. It is safe for concurrent use.
type recentAnswers struct {
	mu    sync.Mutex
	model map[string]string
	ring  []string // ids in the order remembered; next is the oldest
	next  int
}

func (r *recentAnswers) put(id, model string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.model == nil {
		r.model = make(map[string]string)
	}
	if _, ok := r.model[id]; ok {
		r.model[id] = model
		return
	}
	if len(r.ring) < recentAnswersCap {
		r.ring = append(r.ring, id)
	} else {
		delete(r.model, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % recentAnswersCap
	}
	r.model[id] = model
}

func (r *recentAnswers) get(id string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.model[id]
	return m, ok
}

// answeredBy returns the model that wrote Responses answer id: one of
// this process's recent answers, else the decision log's ("" when
// neither knows it).
func (s *Server) answeredBy(ctx context.Context, id string) (string, error) {
	if m, ok := s.recent.get(id); ok {
		return m, nil
	}
	if s.cfg.Answers == nil {
		return "", nil
	}
	return s.cfg.Answers.AnsweredBy(ctx, id)
}
