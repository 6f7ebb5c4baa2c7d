// Package insights serves the decision log's summaries over HTTP for
// administrators and the playground dashboard: GET /v1/router/report (cost,
// tokens and savings per deployment and model) and GET /v1/router/timeline
// (the routing distribution and cost over time of the requests sent to a
// model).
package insights

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/store"
)

// Paths of the endpoints.
const (
	ReportPath   = "/v1/router/report"
	TimelinePath = "/v1/router/timeline"
)

// CodeDisabled is the error code of every call to the reports when no
// admin key is configured, as the management API's is then.
const CodeDisabled = "reports_disabled"

// Source answers the queries; *store.Reports implements it.
type Source interface {
	Report(ctx context.Context, q store.ReportQuery) (*store.Report, error)
	Timeline(ctx context.Context, q store.TimelineQuery) ([]store.TimelinePoint, error)
}

var _ Source = (*store.Reports)(nil)

// Handler serves the insight endpoints. Every one is admin-only: authorize
// decides; a nil authorize means no admin key is configured, and then every
// call is refused with CodeDisabled.
type Handler struct {
	src       Source
	authorize func(*http.Request) bool
	mux       *http.ServeMux
	// Now is the clock for relative ranges ("7d"); tests replace it.
	Now    func() time.Time
	Logger *slog.Logger
	// AuthLimit, optional, counts wrong admin keys per client address and
	// answers an address that sent too many 429 for a while.
	AuthLimit *authlimit.Limiter
	// RefusedLog, optional, counts the calls refused for their key (or
	// their address's wrong keys) in the refused-requests metric and
	// notes them in the server log, as the gateway's routes do theirs.
	RefusedLog *refusedlog.Log
}

// DefaultTimelineSpan and DefaultBucket apply when the dashboard names no
// range: the last week, hour by hour.
const (
	DefaultTimelineSpan = 7 * 24 * time.Hour
	DefaultBucket       = time.Hour
)

// New builds the handler over src.
func New(src Source, authorize func(*http.Request) bool) *Handler {
	h := &Handler{src: src, authorize: authorize, mux: http.NewServeMux(), Now: time.Now, Logger: slog.Default()}
	h.mux.HandleFunc("GET "+ReportPath, h.report)
	h.mux.HandleFunc("GET "+TimelinePath, h.timeline)
	return h
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// With no admin key no key is a wrong one: nothing is counted, and
	// the caller learns what to set rather than to send a key.
	if h.authorize == nil {
		h.writeError(w, &router.Error{Code: router.EForbidden, Reason: CodeDisabled,
			Message: manage.OffWithoutAdminKey("The router's report API")})
		return
	}
	// Before the key is compared: a limited address learns nothing from
	// its guesses.
	if err := h.AuthLimit.Check(r); err != nil {
		h.RefusedLog.Request(r, authlimit.Reason, h.route(r))
		h.writeError(w, err)
		return
	}
	if !h.authorize(r) {
		h.AuthLimit.Failed(r)
		h.RefusedLog.Request(r, authlimit.WrongKeyReason, h.route(r))
		h.writeError(w, router.Errorf(router.EUnauthorized, "the router's reports need an admin key: send Authorization: Bearer <admin key> or api-key: <admin key>"))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// route is the path of the endpoint r is for, as the refused lines name
// it: the pattern the mux would serve r with, never the client's own path
// ("none" where no endpoint is for it).
func (h *Handler) route(r *http.Request) string {
	_, pattern := h.mux.Handler(r)
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return "none"
}

// Mount adds the endpoints to a gin engine (the gateway's Config.Mount).
func (h *Handler) Mount(e *gin.Engine) {
	e.GET(ReportPath, gin.WrapH(h))
	e.GET(TimelinePath, gin.WrapH(h))
}

// report answers GET /v1/router/report?since=&until=&deployment=&by=day.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	rng, err := h.rangeOf(r, false)
	if err != nil {
		h.writeError(w, err)
		return
	}
	// The built-in deployment has no stored row; its calls keep its name
	// in the report even when none was decided.
	q := store.ReportQuery{Range: rng, Builtin: []string{manage.DefaultDeployment}}
	switch by := r.URL.Query().Get("by"); by {
	case "":
	case "day":
		q.ByDay = true
	default:
		h.writeError(w, &router.Error{Code: router.EInvalid, Param: "by", Message: "by=" + by + ": only by=day is supported"})
		return
	}
	rep, err := h.src.Report(r.Context(), q)
	if err != nil {
		h.queryFailed(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// Timeline is the body of GET /v1/router/timeline.
type Timeline struct {
	Since  time.Time             `json:"since"`
	Until  time.Time             `json:"until"`
	Bucket string                `json:"bucket"`
	Points []store.TimelinePoint `json:"points"`
}

// timeline answers GET /v1/router/timeline?since=&until=&deployment=&bucket=1h.
func (h *Handler) timeline(w http.ResponseWriter, r *http.Request) {
	rng, err := h.rangeOf(r, true)
	if err != nil {
		h.writeError(w, err)
		return
	}
	bucket := DefaultBucket
	if s := r.URL.Query().Get("bucket"); s != "" {
		if bucket, err = ParseSpan(s); err != nil {
			h.writeError(w, err)
			return
		}
	}
	points, err := h.src.Timeline(r.Context(), store.TimelineQuery{Range: rng, Bucket: bucket})
	if err != nil {
		h.queryFailed(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Timeline{Since: rng.Since, Until: rng.Until, Bucket: bucket.String(), Points: points})
}

// rangeOf reads since, until and deployment. A timeline needs a closed
// range to bound its points, so it defaults to the last week.
func (h *Handler) rangeOf(r *http.Request, closed bool) (store.Range, error) {
	now := h.Now()
	q := r.URL.Query()
	since, until, err := ParseRange(q.Get("since"), q.Get("until"), now)
	if err != nil {
		return store.Range{}, err
	}
	if closed && since.IsZero() && strings.TrimSpace(q.Get("since")) != "" {
		// The zero time (0001-01-01) stands for no start, which a
		// timeline fills in with the last week: refused rather than
		// answered with a week the caller did not ask for.
		return store.Range{}, router.Errorf(router.EInvalid,
			"since %q is the zero time, which a timeline reads as no start (the last 7 days); name a later start, or leave since out", q.Get("since"))
	}
	if closed && until.IsZero() {
		until = now.UTC()
	}
	if closed && since.IsZero() {
		since = until.Add(-DefaultTimelineSpan)
	}
	rng := store.Range{Since: since, Until: until, Deployment: q.Get("deployment")}
	return rng, rng.Validate()
}

// queryFailed answers a report or timeline that failed. One cut short
// because its client left is no internal error and is not logged: the
// dashboard leaves a load whenever another range or deployment is picked,
// and no one reads an answer.
func (h *Handler) queryFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	h.writeError(w, err)
}

// writeError answers through apierr, the one place that maps error codes
// to HTTP; internal errors are logged and shown without their text.
func (h *Handler) writeError(w http.ResponseWriter, err error) {
	if apierr.IsInternal(err) {
		h.Logger.Error("insights", "err", err)
	}
	apierr.Write(w, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
