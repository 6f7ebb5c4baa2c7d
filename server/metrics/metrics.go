// Package metrics exports what the router does as Prometheus metrics:
// requests, errors, failovers, tokens, cost and latencies, labelled by
// deployment, routing mode and the underlying model that answered. It reads
// only router.Record, so the gateway calls Observe once per request and
// mounts Handler at /metrics. Requests refused before they were served,
// which have no record, are counted through Refused.
package metrics

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/modelrouter/modelrouter/router"
)

const namespace = "modelrouter"

// noModel labels requests that no model answered and no model was chosen
// for (every candidate excluded, bad request), so they still count.
const noModel = "none"

// Metrics holds the router's collectors in a registry of its own, so tests
// and several servers in one process never collide on the global one.
type Metrics struct {
	registry *prometheus.Registry

	requests   *prometheus.CounterVec
	errors     *prometheus.CounterVec
	failovers  *prometheus.CounterVec
	tokens     *prometheus.CounterVec
	cost       *prometheus.CounterVec
	decide     *prometheus.HistogramVec
	firstByte  *prometheus.HistogramVec
	total      *prometheus.HistogramVec
	routerInfo *prometheus.GaugeVec
	refused    *prometheus.CounterVec

	mu          sync.Mutex
	routerModel string
}

var requestLabels = []string{"deployment", "mode", "model"}

// New builds the collectors and registers them, with the Go runtime and
// process collectors, in a fresh registry.
func New() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "requests_total",
		Help: "Requests, routed or not (a dry run, a call refused before routing, an unknown deployment as deployment=unknown), by deployment, mode and the model that answered, else the chosen one, else none.",
	}, requestLabels)
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "errors_total",
		Help: "Requests that ended in an error, by HTTP status class (4xx, 5xx) and router error code.",
	}, append(append([]string{}, requestLabels...), "status_class", "code"))
	m.failovers = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "failovers_total",
		Help: "Upstream attempts that failed and passed the request on to the next-ranked model, by the model that failed.",
	}, requestLabels)
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "tokens_total",
		Help: "Tokens billed by upstreams, by type: prompt, completion, reasoning (part of completion) and cached (part of prompt).",
	}, append(append([]string{}, requestLabels...), "type"))
	m.cost = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "cost_usd_total",
		Help: "USD cost of answers at catalog prices.",
	}, requestLabels)
	// Routing decisions take well under a millisecond to tens of
	// milliseconds; upstream times range from 100 ms to minutes.
	m.decide = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "routing_decision_seconds",
		Help:    "Time the router took to decide (tokenize, predict, rank).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	}, requestLabels)
	upstreamBuckets := []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m.firstByte = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "upstream_first_byte_seconds",
		Help:    "Time from forwarding to the upstream's first byte.",
		Buckets: upstreamBuckets,
	}, requestLabels)
	m.total = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "request_duration_seconds",
		Help:    "Whole request time, decision and upstream included.",
		Buckets: upstreamBuckets,
	}, requestLabels)
	m.routerInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace, Name: "router_model_info",
		Help: "The router model in use: 1 for its version (content hash), info style.",
	}, []string{"version"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "refused_requests_total",
		Help: "Requests refused before they were served, so with no decision record, by reason: host_not_allowed, cross_site_request, unauthorized (no client key or a wrong one), forbidden (a client key not allowed on the route), admin_unauthorized (no admin key or a wrong one on the management API or the reports), metrics_unauthorized (no metrics key or a wrong one on /metrics, when one is set), too_many_failed_authentications (an address limited for wrong admin or metrics keys), too_many_connections (a connection past --max-connections with none idle to close).",
	}, []string{"reason"})
	m.registry.MustRegister(m.requests, m.errors, m.failovers, m.tokens, m.cost,
		m.decide, m.firstByte, m.total, m.routerInfo, m.refused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Registry exposes the registry so the caller can add its own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// SetRouterModel records the router model version in use; a reload replaces
// the previous version's series, so exactly one version reads 1.
func (m *Metrics) SetRouterModel(version string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.routerModel != "" && m.routerModel != version {
		m.routerInfo.DeleteLabelValues(m.routerModel)
	}
	m.routerModel = version
	m.routerInfo.WithLabelValues(version).Set(1)
}

// Refused counts one request refused before it was served (a foreign
// Host, a cross-site browser request, a missing or wrong client key, a
// refused admin or metrics key): reason is one of a few the gateway names
// (the error code the client got, but admin_unauthorized for a refused
// admin key and metrics_unauthorized for a refused metrics key),
// never the client's words.
func (m *Metrics) Refused(reason string) {
	m.refused.WithLabelValues(reason).Inc()
}

// Observe counts one finished request. It never blocks on I/O.
func (m *Metrics) Observe(rec router.Record) {
	deployment, mode := rec.Decision.Deployment, string(rec.Decision.Mode)
	if !rec.DeploymentFound {
		// Every caller-chosen name would otherwise become a series
		// of its own.
		deployment = router.UnfoundDeployment
	}
	labels := [...]string{deployment, mode, recordModel(rec)}

	m.requests.WithLabelValues(labels[:]...).Inc()
	if rec.Status >= 400 || rec.ErrorCode != "" {
		m.errors.WithLabelValues(deployment, mode, labels[2], statusClass(rec.Status), errorCode(rec)).Inc()
	}
	// The last attempt either answered or ended the request; every one
	// before it failed and passed the request on to the next-ranked model.
	// A model skipped without being asked (not_sent: its provider asked to
	// wait, another call was probing it, the translation refused) was
	// never called, so it did not fail: a failover is a call that did.
	for i := 0; i < len(rec.Attempts)-1; i++ {
		if !rec.Attempts[i].NotSent {
			m.failovers.WithLabelValues(deployment, mode, rec.Attempts[i].Model).Inc()
		}
	}
	u := rec.Usage
	// An array, not a map literal: this runs for every request.
	for _, t := range [...]struct {
		typ string
		n   int
	}{
		{"prompt", u.PromptTokens}, {"completion", u.CompletionTokens},
		{"reasoning", u.ReasoningTokens}, {"cached", u.CachedTokens},
	} {
		if t.n > 0 {
			m.tokens.WithLabelValues(deployment, mode, labels[2], t.typ).Add(float64(t.n))
		}
	}
	if rec.CostUSD > 0 {
		m.cost.WithLabelValues(labels[:]...).Add(rec.CostUSD)
	}
	if rec.DecideLatency > 0 {
		m.decide.WithLabelValues(labels[:]...).Observe(rec.DecideLatency.Seconds())
	}
	if rec.FirstByte > 0 {
		m.firstByte.WithLabelValues(labels[:]...).Observe(rec.FirstByte.Seconds())
	}
	if rec.Total > 0 {
		m.total.WithLabelValues(labels[:]...).Observe(rec.Total.Seconds())
	}
}

// Booked counts what a call's booked usage adds to the estimate it was
// counted at when it ended (a background answer's, booked when a read
// found its job over). Counters only go up: a call that used less than
// estimated keeps its estimate here; the decision log has what it cost.
func (m *Metrics) Booked(was, now router.Record) {
	deployment, mode := was.Decision.Deployment, string(was.Decision.Mode)
	if !was.DeploymentFound {
		// Every caller-chosen name would otherwise become a series
		// of its own.
		deployment = router.UnfoundDeployment
	}
	model := recordModel(was)
	for _, t := range [...]struct {
		typ      string
		was, now int
	}{
		{"prompt", was.Usage.PromptTokens, now.Usage.PromptTokens},
		{"completion", was.Usage.CompletionTokens, now.Usage.CompletionTokens},
		{"reasoning", was.Usage.ReasoningTokens, now.Usage.ReasoningTokens},
		{"cached", was.Usage.CachedTokens, now.Usage.CachedTokens},
	} {
		if t.now > t.was {
			m.tokens.WithLabelValues(deployment, mode, model, t.typ).Add(float64(t.now - t.was))
		}
	}
	if now.CostUSD > was.CostUSD {
		m.cost.WithLabelValues(deployment, mode, model).Add(now.CostUSD - was.CostUSD)
	}
}

// recordModel is the model a request is attributed to: the one that
// answered, else the one chosen, else "none".
func recordModel(rec router.Record) string {
	switch {
	case rec.Answered != "":
		return rec.Answered
	case rec.Decision.ChosenID != "":
		return rec.Decision.ChosenID
	}
	return noModel
}

func statusClass(status int) string {
	if status < 100 {
		return "unknown"
	}
	return strconv.Itoa(status/100) + "xx"
}

func errorCode(rec router.Record) string {
	if rec.ErrorCode != "" {
		return rec.ErrorCode
	}
	return "status_" + strconv.Itoa(rec.Status)
}
