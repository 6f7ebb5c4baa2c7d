package metrics

import "github.com/prometheus/client_golang/prometheus"

// WatchHealth exports which models are tried last because their provider
// keeps failing (upstream.Health.UnhealthyModels), read at every scrape:
// modelrouter_model_unhealthy{model} is 1 for each. Call it at most once.
func (m *Metrics) WatchHealth(unhealthy func() []string) {
	m.registry.MustRegister(&healthCollector{unhealthy: unhealthy})
}

var unhealthyDesc = prometheus.NewDesc(namespace+"_model_unhealthy",
	"1 for each model tried last because its provider keeps failing (see serve --unhealthy-after).",
	[]string{"model"}, nil)

type healthCollector struct {
	unhealthy func() []string
}

// Describe implements [prometheus.Collector].
func (c *healthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- unhealthyDesc }

// Collect implements [prometheus.Collector].
func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	for _, id := range c.unhealthy() {
		ch <- prometheus.MustNewConstMetric(unhealthyDesc, prometheus.GaugeValue, 1, id)
	}
}
