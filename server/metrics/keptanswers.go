package metrics

import "github.com/prometheus/client_golang/prometheus"

// WatchKeptAnswers exports the kept Responses answers waiting for their
// row and those given up (server.Server.KeptAnswers), read at every
// scrape: answers piling up show a database another process holds the
// write lock of before the WARN lines of the ones given up. Call it at
// most once.
func (m *Metrics) WatchKeptAnswers(counts func() (pending int, givenUp uint64)) {
	m.registry.MustRegister(&keptCollector{counts: counts})
}

var (
	keptPendingDesc = prometheus.NewDesc(namespace+"_kept_answers_pending",
		"Kept Responses answers waiting to be written (held up while another process holds the database's write lock).", nil, nil)
	keptGivenUpDesc = prometheus.NewDesc(namespace+"_kept_answers_given_up_total",
		"Kept Responses answers given up, each logged as a WARN: not written within 10 minutes, past the 64 MiB held for them, "+
			"a write that failed otherwise, or a shutdown; they went out but cannot be continued by previous_response_id.", nil, nil)
)

type keptCollector struct {
	counts func() (int, uint64)
}

// Describe implements [prometheus.Collector].
func (c *keptCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- keptPendingDesc
	ch <- keptGivenUpDesc
}

// Collect implements [prometheus.Collector].
func (c *keptCollector) Collect(ch chan<- prometheus.Metric) {
	pending, givenUp := c.counts()
	ch <- prometheus.MustNewConstMetric(keptPendingDesc, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(keptGivenUpDesc, prometheus.CounterValue, float64(givenUp))
}
