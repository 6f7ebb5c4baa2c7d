package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/store"
)

// storeResponses adapts the store's kept responses to the gateway's
// ResponseStore seam.
type storeResponses struct{ st *store.Store }

func (s storeResponses) PutResponse(ctx context.Context, r server.StoredResponse) error {
	return s.st.PutResponse(ctx, store.Response{ID: r.ID, PreviousID: r.PreviousID, Model: r.Model,
		Input: r.Input, Output: r.Output, Body: r.Body, KeyID: r.KeyID})
}

func (s storeResponses) ResponseChain(ctx context.Context, id string, maxBytes int64) ([]server.StoredResponse, error) {
	chain, err := s.st.ResponseChain(ctx, id, maxBytes)
	out := make([]server.StoredResponse, len(chain))
	for i, r := range chain {
		out[i] = storedResponse(r)
	}
	return out, err
}

func (s storeResponses) KeptResponse(ctx context.Context, id string) (server.StoredResponse, bool, error) {
	r, ok, err := s.st.KeptResponse(ctx, id)
	return storedResponse(r), ok, err
}

func (s storeResponses) KeptResponses(ctx context.Context, ids []string) (map[string]server.StoredResponse, error) {
	kept, err := s.st.KeptResponses(ctx, ids)
	out := make(map[string]server.StoredResponse, len(kept))
	for id, r := range kept {
		out[id] = storedResponse(r)
	}
	return out, err
}

func (s storeResponses) DeleteResponse(ctx context.Context, id string) (bool, error) {
	return s.st.DeleteResponse(ctx, id)
}

func storedResponse(r store.Response) server.StoredResponse {
	return server.StoredResponse{ID: r.ID, PreviousID: r.PreviousID, Model: r.Model,
		Input: r.Input, Output: r.Output, Body: r.Body, KeyID: r.KeyID, Created: r.Time}
}

// serve's decision log, budgets and metrics book a background answer's
// usage, and the log how its job ended, when a read finds its job over (server.Config.Log): each must keep
// the method the gateway looks for.
var (
	_ server.UsageBook       = (*store.Log)(nil)
	_ server.JobEndBook      = (*store.Log)(nil)
	_ server.BudgetCorrector = (*budget.Tracker)(nil)
	_ server.UsageObserver   = (*metrics.Metrics)(nil)
)

// storeAnswers adapts the decision log's answer lookup to the gateway's
// AnswerLog seam.
type storeAnswers struct{ st *store.Store }

func (s storeAnswers) AnsweredBy(ctx context.Context, id string) (server.Answer, error) {
	a, err := s.st.AnsweredBy(ctx, id)
	return server.Answer{Model: a.Model, KeyID: a.KeyID, PreviousResponseID: a.PreviousResponseID}, err
}

// pruneEvery is how often rows past their time (kept responses, decision
// log rows) are deleted.
const pruneEvery = time.Hour

// prunePeriodically deletes, with prune, the rows older than keep, now and
// then every pruneEvery, until ctx ends; what names them in the log and
// flag is the setting that keeps them.
func prunePeriodically(ctx context.Context, log *slog.Logger, what, flag string, keep time.Duration,
	prune func(context.Context, time.Time) (int64, error)) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if n, err := prune(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			log.Warn("could not delete old "+what, "deleted", n, "err", err)
		} else if n > 0 {
			log.Info("deleted "+what+" past --"+flag, "rows", n, "keep", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
