package server

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// holdWriteLock takes st's database write lock on a connection of its
// own, as another process (a `modelrouter keys` command, a backup) would,
// and returns what releases it.
func holdWriteLock(t *testing.T, st *store.Store) (release func()) {
	t.Helper()
	ctx := context.Background()
	var seq int
	var name, file string
	require.NoError(t, st.DB().QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file))
	other, err := sql.Open("sqlite3", file)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE")
	require.NoError(t, err)
	released := false
	release = func() {
		if !released {
			released = true
			_, err := conn.ExecContext(ctx, "ROLLBACK")
			assert.NoError(t, err)
			_ = conn.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// finishedJob starts a background job on "large" and reads it once while
// it runs, so the next read finds it over.
func finishedJob(t *testing.T, e *e2e, st *store.Store) string {
	t.Helper()
	id := startBackground(t, e)
	require.True(t, loggedRow(t, st, id).UsageEstimated)
	client := e.clients()["v1"]
	running, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusInProgress, running.Status)
	return id
}

// A read of a finished background answer is answered while another
// process holds the database's write lock, plain or streamed: booking the
// job's usage is the gateway's bookkeeping, done after the answer, and it
// lands once the lock is released.
func TestReadOfAFinishedBackgroundAnswerIsAnsweredWhileTheDatabaseIsLocked(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		name := "plain read"
		if streamed {
			name = "streamed read"
		}
		t.Run(name, func(t *testing.T) {
			e, st := newBookingE2E(t, 0)
			e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done.", ReasoningTokens: 500})
			client := e.clients()["v1"]
			id := finishedJob(t, e, st)

			release := holdWriteLock(t, st)
			var usage responses.ResponseUsage
			if streamed {
				stream := client.Responses.GetStreaming(context.Background(), id, responses.ResponseGetParams{})
				var last responses.ResponseStreamEventUnion
				for stream.Next() {
					last = stream.Current()
				}
				require.NoError(t, stream.Err())
				require.Equal(t, "response.completed", last.Type)
				usage = last.Response.Usage
			} else {
				done, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
				require.NoError(t, err)
				require.Equal(t, responses.ResponseStatusCompleted, done.Status)
				usage = done.Usage
			}
			assert.True(t, loggedRow(t, st, id).UsageEstimated, "nothing is booked while another process holds the lock")

			release()
			waitBookings(t, e, 1)
			booked := loggedRow(t, st, id)
			assert.False(t, booked.UsageEstimated, "booked once the lock is released")
			assert.Equal(t, 500, booked.Usage.ReasoningTokens)
			assert.InDelta(t, largeCost(usage), booked.CostUSD, 1e-12)
		})
	}
}

// Shutdown books the usage that reads already answered queued, before the
// decision log closes: FinishBookings returns once it is in the database,
// even when another process held the lock as the reads came.
func TestShutdownBooksTheUsageReadsQueued(t *testing.T) {
	e, st := newBookingE2E(t, 0)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})
	client := e.clients()["v1"]
	ids := []string{finishedJob(t, e, st), finishedJob(t, e, st), finishedJob(t, e, st)}

	release := holdWriteLock(t, st)
	for _, id := range ids {
		done, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
		require.NoError(t, err)
		require.Equal(t, responses.ResponseStatusCompleted, done.Status)
	}
	finished := make(chan error, 1)
	go func() { finished <- e.srv.FinishBookings(context.Background()) }()
	require.Eventually(t, func() bool {
		e.srv.books.mu.Lock()
		defer e.srv.books.mu.Unlock()
		return e.srv.books.closed
	}, 10*time.Second, time.Millisecond, "shutdown has begun")
	for _, id := range ids {
		require.True(t, loggedRow(t, st, id).UsageEstimated, "the lock keeps every booking queued")
	}
	release()
	require.NoError(t, <-finished)

	for _, id := range ids {
		assert.False(t, loggedRow(t, st, id).UsageEstimated, "answer %s booked before shutdown returned", id)
	}
}

// A read that gives its key a background answer's items is answered while
// another process holds the database's write lock: recording them as the
// key's is the gateway's bookkeeping too, in this process's memory at once
// and in the database, where it outlives a restart, once the lock is
// released.
func TestReadGivingItemsIsAnsweredWhileTheDatabaseIsLocked(t *testing.T) {
	e, st := newBookingE2E(t, 0, func(c *Config, st *store.Store) { c.Owners = st })
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})
	client := e.clients()["v1"]
	id := finishedJob(t, e, st)
	ctx := context.Background()

	release := holdWriteLock(t, st)
	done, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusCompleted, done.Status)
	require.NotEmpty(t, done.Output)
	var items []string
	for _, it := range done.Output {
		items = append(items, it.ID)
	}
	// The keys recorded for the items, as another key's call looks them up.
	recorded := func() (map[string]string, error) { return st.OtherOwners(ctx, "id-another-key", items) }
	owners, err := recorded()
	require.NoError(t, err)
	assert.Empty(t, owners, "nothing is written while another process holds the lock")

	release()
	want := map[string]string{}
	for _, item := range items {
		want[item] = "id-" + e2eKey
	}
	require.Eventually(t, func() bool {
		owners, err := recorded()
		return err == nil && assert.ObjectsAreEqual(want, owners)
	},
		10*time.Second, 5*time.Millisecond, "the read's items are recorded as its key's once the lock is released")
}
