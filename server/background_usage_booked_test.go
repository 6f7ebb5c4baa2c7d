package server

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// newBookingE2E is a gateway logging to a store whose writer keeps each
// row queued until something flushes it (so a read that comes right after
// the call finds its row not yet in SQLite), with a monthly budget of usd
// for every key. The store waits up to a minute on another connection's
// write lock, so a booking waits out a lock a test holds rather than
// failing at busy_timeout on a slow machine. The usage queued is booked
// before the store closes, as serve books it. opts set the rest of its
// config, given the store.
func newBookingE2E(t *testing.T, usd float64, opts ...func(*Config, *store.Store)) (*e2e, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "log.db"), store.WithCommitInterval(time.Hour),
		store.WithBusyTimeout(time.Minute))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := newE2E(t, func(c *Config) {
		c.Log = &bookingLog{Log: st.Log()}
		c.Budgets = budget.New(capSource{usd: usd}, nil)
		for _, o := range opts {
			o(c, st)
		}
	})
	t.Cleanup(func() { _ = e.srv.FinishBookings(context.Background()) })
	return e, st
}

// bookingLog is the store's decision log, counting the bookings it has
// been asked for, for tests to wait until reads' bookings have run.
type bookingLog struct {
	*store.Log
	asked atomic.Int64
}

func (l *bookingLog) BookUsage(ctx context.Context, id string, u router.Usage, usd float64) (router.Record, bool, error) {
	l.asked.Add(1)
	return l.Log.BookUsage(ctx, id, u, usd)
}

// waitBookings waits until the gateway has run the bookings of n reads
// that found a job over (booked, or found nothing left to book), the
// budget's and the metrics' share included: a booking runs after its read
// is answered.
func waitBookings(t *testing.T, e *e2e, n int64) {
	t.Helper()
	bl := e.srv.cfg.Log.(*bookingLog)
	require.Eventually(t, func() bool {
		q := &e.srv.books
		q.mu.Lock()
		idle := !q.running && len(q.queue) == 0
		q.mu.Unlock()
		return idle && bl.asked.Load() == n
	}, 10*time.Second, 5*time.Millisecond, "%d reads' bookings run", n)
}

// loggedRow is the one decision row of the answer id, as `sqlite3` reads it.
func loggedRow(t *testing.T, st *store.Store, id string) store.DecisionRow {
	t.Helper()
	require.NoError(t, st.Log().Flush(context.Background()))
	rows, err := st.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	var found []store.DecisionRow
	for _, r := range rows {
		if r.ResponseID == id {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "one row for answer %s", id)
	return found[0]
}

// largeCost is what the test catalog's "large" bills for a Responses
// usage: input $2, cached input $0.5 and output (reasoning included) $8
// per million tokens.
func largeCost(u responses.ResponseUsage) float64 {
	cached := u.InputTokensDetails.CachedTokens
	return (float64(u.InputTokens-cached)*2 + float64(cached)*0.5 + float64(u.OutputTokens)*8) / 1e6
}

// startBackground sends a background call to "large" and returns its
// answer's id, checking that the provider only queued the job.
func startBackground(t *testing.T, e *e2e) string {
	t.Helper()
	bg := ask("Write the quarterly report.")
	bg.Background = openai.Bool(true)
	client := e.clients()["v1"]
	queued, err := client.Responses.New(context.Background(), bg, onModel("large"))
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusQueued, queued.Status)
	return queued.ID
}

// A background call is logged when the provider takes its job, before the
// job has run: its tokens and cost are the gateway's estimate. A read of
// the answer by id that finds the job over carries what it really used,
// and the gateway books that on the call's row once: its tokens, its cost
// at the catalog prices of the model that ran (cached input and reasoning
// priced as on any call), no longer estimated, and the cost report with
// it. Reading it again changes nothing.
func TestReadingAFinishedBackgroundAnswerBooksWhatItsJobUsed(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", ReasoningTokens: 3000, CachedTokens: 2})
	client := e.clients()["v1"]
	ctx := context.Background()
	id := startBackground(t, e)

	estimated := loggedRow(t, st, id)
	require.True(t, estimated.UsageEstimated, "the job has not run: its row holds the estimate")
	require.Positive(t, estimated.CostUSD, "an estimate, not free")

	running, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusInProgress, running.Status)
	assert.Equal(t, estimated, loggedRow(t, st, id), "a job still running books nothing")

	done, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusCompleted, done.Status)
	want := router.Usage{
		PromptTokens: int(done.Usage.InputTokens), CompletionTokens: int(done.Usage.OutputTokens),
		ReasoningTokens: 3000, CachedTokens: 2,
	}
	require.EqualValues(t, 3000, done.Usage.OutputTokensDetails.ReasoningTokens)
	var booked store.DecisionRow
	require.Eventually(t, func() bool {
		booked = loggedRow(t, st, id)
		return !booked.UsageEstimated
	}, 5*time.Second, 10*time.Millisecond, "the read that found the job over books its usage")
	assert.Equal(t, want, booked.Usage)
	assert.InDelta(t, largeCost(done.Usage), booked.CostUSD, 1e-12)
	assert.NotEqual(t, estimated.CostUSD, booked.CostUSD)

	rep, err := st.Reports().Report(ctx, store.ReportQuery{})
	require.NoError(t, err)
	assert.InDelta(t, largeCost(done.Usage), rep.Total.CostUSD, 1e-12, "the cost report counts what the job cost")

	_, err = client.Responses.Get(ctx, id, responses.ResponseGetParams{})
	require.NoError(t, err)
	stream := client.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{})
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	waitBookings(t, e, 3)
	assert.Equal(t, booked, loggedRow(t, st, id), "reading it again books nothing more")
}

// A streamed read of a background answer (GET with stream=true, from
// starting_after) that runs to response.completed books the job's usage
// as a plain read does.
func TestStreamedReadOfABackgroundAnswerBooksWhatItsJobUsed(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", ReasoningTokens: 500})
	id := startBackground(t, e)
	require.True(t, loggedRow(t, st, id).UsageEstimated)

	client := e.clients()["v1"]
	stream := client.Responses.GetStreaming(context.Background(), id,
		responses.ResponseGetParams{StartingAfter: openai.Int(2)})
	var last responses.ResponseStreamEventUnion
	for stream.Next() {
		last = stream.Current()
	}
	require.NoError(t, stream.Err())
	require.Equal(t, "response.completed", last.Type)

	var booked store.DecisionRow
	require.Eventually(t, func() bool {
		booked = loggedRow(t, st, id)
		return !booked.UsageEstimated
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int(last.Response.Usage.OutputTokens), booked.Usage.CompletionTokens)
	assert.Equal(t, 500, booked.Usage.ReasoningTokens)
	assert.InDelta(t, largeCost(last.Response.Usage), booked.CostUSD, 1e-12)
}

// A background call streamed to its response.completed reports the job's
// usage in its own stream: its row has it from the start, and a later
// read books no usage over it (it keeps how the job ended).
func TestBackgroundStreamToItsEndIsLoggedAtItsRealUsage(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", ReasoningTokens: 500})
	client := e.clients()["v1"]
	bg := ask("Write the quarterly report.")
	bg.Background = openai.Bool(true)
	stream := client.Responses.NewStreaming(context.Background(), bg, onModel("large"))
	var last responses.ResponseStreamEventUnion
	for stream.Next() {
		last = stream.Current()
	}
	require.NoError(t, stream.Err())
	require.Equal(t, "response.completed", last.Type)
	id := last.Response.ID

	row := loggedRow(t, st, id)
	assert.False(t, row.UsageEstimated)
	assert.Equal(t, 500, row.Usage.ReasoningTokens)
	assert.InDelta(t, largeCost(last.Response.Usage), row.CostUSD, 1e-12)

	_, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
	require.NoError(t, err)
	waitBookings(t, e, 1)
	// The read books no usage over it, only how the job ended.
	row.EndedStatus = "completed"
	assert.Equal(t, row, loggedRow(t, st, id))
}

// A key's budget is spent at what a background job really cost once a
// read books it, not at the estimate its call was charged when the
// provider took the job: a job that cost more spends the budget (once,
// however many reads find it over at the same time), and one that cost
// less gives back what the estimate held.
func TestBookedBackgroundUsageIsWhatTheKeysBudgetSpends(t *testing.T) {
	chat := `{"model":"model-router","routing_config":{"models":["large"]},"messages":[{"role":"user","content":"hi"}]}`

	t.Run("a job that cost more than estimated", func(t *testing.T) {
		// The estimate (about 100 answer tokens, under $0.001) leaves
		// room in a $0.01 budget; 10,000 reasoning tokens ($0.08) do not.
		e, _ := newBookingE2E(t, 0.01)
		e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", ReasoningTokens: 10_000})
		client := e.clients()["v1"]
		id := startBackground(t, e)
		_, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
		require.NoError(t, err) // in progress

		var wg sync.WaitGroup
		usages := make([]responses.ResponseUsage, 8)
		for i := range usages {
			wg.Go(func() {
				got, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
				if assert.NoError(t, err) && assert.Equal(t, responses.ResponseStatusCompleted, got.Status) {
					usages[i] = got.Usage
				}
			})
		}
		wg.Wait()
		spent := store.FormatUSD(largeCost(usages[0]))

		waitBookings(t, e, int64(len(usages)))
		status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", chat)
		require.Equal(t, http.StatusTooManyRequests, status, "the job's real cost spent the budget: %s", raw)
		assert.Contains(t, string(raw), "This API key has spent "+spent+" of its budget",
			"counted once, at what the job cost")
	})

	t.Run("a job that cost less than estimated", func(t *testing.T) {
		// The estimate (about $0.0008) is over a $0.0005 budget; the
		// job's one-word answer costs about $0.00002.
		e, _ := newBookingE2E(t, 0.0005)
		e.openai.Set("large", upstreamtest.Behavior{Reply: "Done."})
		client := e.clients()["v1"]
		id := startBackground(t, e)
		status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", chat)
		require.Equal(t, http.StatusTooManyRequests, status, "the estimate spent the budget: %s", raw)

		for range 2 {
			_, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
			require.NoError(t, err)
		}
		waitBookings(t, e, 1)
		status, _, raw = postRaw(t, e, http.MethodPost, "/v1/chat/completions", chat)
		assert.Equal(t, http.StatusOK, status, "the booked cost gives back the room the estimate took: %s", raw)
	})
}
