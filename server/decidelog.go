package server

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
)

// logDecision writes one Debug line for a routing decision (serve
// --log-level debug): the request id, the deployment and mode, whether it
// is a dry run, and the model chosen with its session affinity, predicted
// quality, expected cost, the threshold and the fallbacks' count, or the
// refusal's code. Never the prompt or a key. Nothing is built unless a
// Debug line would be written: this runs on every call. A dry run
// answered by PreviewRouter writes two: the refusal not_configured, then
// the preview's decision.
func (s *Server) logDecision(c *gin.Context, r *routed, err error) {
	ctx := c.Request.Context()
	if !s.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	d := r.decision
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)),
		slog.String("deployment", d.Deployment),
		slog.String("mode", string(d.Mode)),
		slog.Bool("dry_run", r.rreq.ReadOnlyAffinity), // set for dry runs alone (decide)
	}
	if err != nil {
		attrs = append(attrs, slog.String("code", router.ErrorCode(err)))
		s.log.LogAttrs(ctx, slog.LevelDebug, "routing refused", attrs...)
		return
	}
	attrs = append(attrs, slog.String("chosen_model", d.ChosenID), slog.Bool("session_affinity", d.Affinity))
	for _, cand := range d.Candidates {
		if cand.Model == d.ChosenID {
			attrs = append(attrs, slog.Float64("predicted_quality", cand.Quality), slog.Float64("expected_cost_usd", cand.ExpectedCost))
			break
		}
	}
	attrs = append(attrs, slog.Float64("threshold", d.Threshold), slog.Int("fallbacks", len(d.Fallbacks)))
	s.log.LogAttrs(ctx, slog.LevelDebug, "routed", attrs...)
}
