package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelrouter/modelrouter/store"
)

// WatchDecisionLog exports the decision log's counters, read at every
// scrape: rows written, skipped as duplicates, lost, refused after close or
// parked in the overflow list, rows still waiting to be written, and the
// transactions that wrote them (rows per commit shows the batching). Pass
// the store's Log().Stats. Call it at most once.
func (m *Metrics) WatchDecisionLog(stats func() store.LogStats) {
	m.registry.MustRegister(&logCollector{stats: stats})
}

var (
	logRowsDesc = prometheus.NewDesc(namespace+"_decision_log_rows_total",
		"Decision log rows by outcome: written, duplicate (request id already logged), failed (lost to database errors), "+
			"rejected (recorded after close), overflowed (waited in the overflow list because the queue was full).",
		[]string{"outcome"}, nil)
	logPendingDesc = prometheus.NewDesc(namespace+"_decision_log_pending_rows",
		"Decision log rows recorded but not yet committed.", nil, nil)
	logCommitsDesc = prometheus.NewDesc(namespace+"_decision_log_commits_total",
		"Decision log transactions committed; each writes the rows gathered since the previous one.", nil, nil)
)

type logCollector struct {
	stats func() store.LogStats
}

// Describe implements [prometheus.Collector].
func (c *logCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- logRowsDesc
	ch <- logPendingDesc
	ch <- logCommitsDesc
}

// Collect implements [prometheus.Collector].
func (c *logCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for outcome, n := range map[string]uint64{
		"written": s.Written, "duplicate": s.Duplicates, "failed": s.Failed,
		"rejected": s.Rejected, "overflowed": s.Overflowed,
	} {
		ch <- prometheus.MustNewConstMetric(logRowsDesc, prometheus.CounterValue, float64(n), outcome)
	}
	ch <- prometheus.MustNewConstMetric(logPendingDesc, prometheus.GaugeValue, float64(s.Pending()))
	ch <- prometheus.MustNewConstMetric(logCommitsDesc, prometheus.CounterValue, float64(s.Commits))
}
