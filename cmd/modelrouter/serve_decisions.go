package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/modelrouter/modelrouter/store"
)

// pruneDecisions deletes decision log rows older than keep, now and then
// every pruneEvery, until ctx ends.
func pruneDecisions(ctx context.Context, st *store.Store, keep time.Duration, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if n, err := st.PruneDecisions(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			log.Warn("could not delete old decision log rows", "deleted", n, "err", err)
		} else if n > 0 {
			log.Info("deleted decision log rows past --keep-decisions", "rows", n, "keep", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
