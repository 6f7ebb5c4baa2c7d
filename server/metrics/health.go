package metrics

import "github.com/prometheus/client_golang/prometheus"

// WatchHealth exports which models are tried last because their provider
// keeps failing (upstream.Health.UnhealthyModels), read at every scrape:
// modelrouter_model_unhealthy{model} is 1 for each. Call it at most once.
func (m *Metrics) WatchHealth(unhealthy func() []string) {
	m.registry.MustRegister(&modelsGauge{desc: unhealthyDesc, models: unhealthy})
}

// WatchBackoff exports which models are tried last because their provider
// asked the gateway to wait (upstream.Backoff.Models), read at every
// scrape: modelrouter_model_rate_limited{model} is 1 for each. Call it at
// most once.
func (m *Metrics) WatchBackoff(limited func() []string) {
	m.registry.MustRegister(&modelsGauge{desc: rateLimitedDesc, models: limited})
}

var (
	unhealthyDesc = prometheus.NewDesc(namespace+"_model_unhealthy",
		"1 for each model tried last because its provider keeps failing (see serve --unhealthy-after).",
		[]string{"model"}, nil)
	rateLimitedDesc = prometheus.NewDesc(namespace+"_model_rate_limited",
		"1 for each model tried last because its provider answered 429 (or 5xx) with a Retry-After that has not run out.",
		[]string{"model"}, nil)
)

// modelsGauge is 1 for each model its function lists at scrape time.
type modelsGauge struct {
	desc   *prometheus.Desc
	models func() []string
}

// Describe implements [prometheus.Collector].
func (c *modelsGauge) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements [prometheus.Collector].
func (c *modelsGauge) Collect(ch chan<- prometheus.Metric) {
	for _, id := range c.models() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 1, id)
	}
}
