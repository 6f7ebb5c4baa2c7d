package metrics_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/metrics"
)

// The HELP line is what a scrape shows of the counter's reasons: each one
// the gateway counts under (README, Metrics) must be named there, so that
// a series that appears at its first refusal can be read without the docs.
func TestRefusedRequestsHelpNamesEveryReason(t *testing.T) {
	m := metrics.New()
	m.Refused("unauthorized") // a vector without series has no HELP line
	var help string
	for _, line := range strings.Split(scrape(t, m), "\n") {
		if strings.HasPrefix(line, "# HELP modelrouter_refused_requests_total ") {
			help = line
		}
	}
	require.NotEmpty(t, help)
	for _, reason := range []string{"host_not_allowed", "cross_site_request", "unauthorized", "forbidden",
		"admin_unauthorized", "metrics_unauthorized", "too_many_failed_authentications", "too_many_connections"} {
		assert.Contains(t, help, reason)
	}
}
