package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/metrics"
)

// keptMetricsGateway is lockableKept with /metrics mounted and watching
// the kept answers' writes, as serve wires it. It returns the gateway,
// its store and a scrape of /metrics.
func keptMetricsGateway(t *testing.T, l keptLimits) (*e2e, func() (pending, givenUp string), func() (release func())) {
	t.Helper()
	met := metrics.New()
	e, st, _ := lockableKept(t, func(c *Config) {
		c.keptLimits = l
		c.Mount = func(g *gin.Engine) { g.GET("/metrics", gin.WrapH(met.Handler())) }
	})
	met.WatchKeptAnswers(e.srv.KeptAnswers)
	scrape := func() (string, string) {
		t.Helper()
		resp, err := http.Get(e.url + "/metrics")
		require.NoError(t, err)
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return metricValue(t, string(raw), "modelrouter_kept_answers_pending"),
			metricValue(t, string(raw), "modelrouter_kept_answers_given_up_total")
	}
	return e, scrape, func() func() { return holdWriteLock(t, st) }
}

// metricValue is the value of the unlabelled metric name in a scrape.
func metricValue(t *testing.T, scrape, name string) string {
	t.Helper()
	for line := range strings.Lines(scrape) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			return v
		}
	}
	require.Failf(t, "metric missing", "%s not in:\n%s", name, scrape)
	return ""
}

// An answer whose row another process's write lock holds up shows on
// /metrics as pending, so an operator sees answers piling up before any is
// given up; once the lock goes and it is written, it no longer is.
func TestMetricsShowAKeptAnswerPendingWhileALockHoldsItUp(t *testing.T) {
	e, scrape, lock := keptMetricsGateway(t, keptLimits{retryPause: 10 * time.Millisecond})
	client := e.clients()["v1"]
	ctx := context.Background()
	pending, givenUp := scrape()
	assert.Equal(t, "0", pending)
	assert.Equal(t, "0", givenUp)

	release := lock()
	lake, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	pending, givenUp = scrape()
	assert.Equal(t, "1", pending, "held up by the lock")
	assert.Equal(t, "0", givenUp)

	release()
	_, err = client.Responses.Get(ctx, lake.ID, responses.ResponseGetParams{})
	require.NoError(t, err, "written once the lock went")
	pending, givenUp = scrape()
	assert.Equal(t, "0", pending)
	assert.Equal(t, "0", givenUp)
}

// An answer given up because those waiting for a locked database are past
// the memory bound is counted on /metrics, as its WARN names it.
func TestMetricsCountAKeptAnswerGivenUpByTheMemoryBound(t *testing.T) {
	e, scrape, lock := keptMetricsGateway(t, keptLimits{maxBytes: 1, retryPause: 10 * time.Millisecond})
	client := e.clients()["v1"]
	ctx := context.Background()

	release := lock()
	_, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	newest, err := client.Responses.New(ctx, ask("Name a river."), onModel("claude"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, g := scrape(); return g == "1" }, 10*time.Second, 10*time.Millisecond,
		"the oldest given up (once its try under way ends)")
	pending, _ := scrape()
	assert.Equal(t, "1", pending, "the newest is held")

	release()
	_, err = client.Responses.Get(ctx, newest.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	pending, givenUp := scrape()
	assert.Equal(t, "0", pending)
	assert.Equal(t, "1", givenUp)
}
