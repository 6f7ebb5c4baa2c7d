package server

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// keptWritten waits until the kept answers the gateway is writing are
// written: a test that reads its store directly, not by id through the
// gateway, reads them after.
func (e *e2e) keptWritten(t *testing.T) {
	t.Helper()
	require.NoError(t, e.srv.keeping.waitAll(context.Background()))
}

// keptInSQLite serves a gateway in front of e2e's fakes that keeps
// answers in a SQLite file, and returns it and its store.
func keptInSQLite(t *testing.T, opts ...func(*Config)) (*e2e, *store.Store) {
	t.Helper()
	return keptInSQLiteWaiting(t, 5*time.Second, opts...)
}

// keptInSQLiteWaiting is keptInSQLite whose store's statements wait busy
// for another connection's lock.
func keptInSQLiteWaiting(t *testing.T, busy time.Duration, opts ...func(*Config)) (*e2e, *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kept.db")
	st, err := store.Open(path, store.WithBusyTimeout(busy))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	opts = append([]func(*Config){func(c *Config) { c.Responses = sqliteResponses{st} }}, opts...)
	return newE2E(t, opts...), st
}

// A kept answer goes out without waiting for its row: while another
// process holds the database's write lock, Claude's answers, as JSON and
// streamed, reach their clients in full. What is sent for them meanwhile
// (a continuation by previous_response_id, a read by id, an
// item_reference to one of their items) waits for the row and, once the
// lock is released, finds the answer: the continuation carries the whole
// conversation.
func TestKeptAnswersGoOutWhileTheDatabaseIsLockedAndAreFoundOnceItIsReleased(t *testing.T) {
	e, st := keptInSQLite(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)

	lake, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	river := completedResponse(t, client.Responses.NewStreaming(ctx, ask("Name a river."), onModel("claude")))
	require.Equal(t, "claude", river.Model)
	require.NotEmpty(t, river.Output)
	riverItem := river.Output[0].ID

	// Sent while the lock is still held.
	var wg sync.WaitGroup
	var next *responses.Response
	var nextErr, readErr error
	var read *responses.Response
	var refStatus int
	var refAnswer map[string]any
	wg.Add(3)
	go func() {
		defer wg.Done()
		p := ask("And its depth?")
		p.PreviousResponseID = openai.String(lake.ID)
		next, nextErr = client.Responses.New(ctx, p, onModel("claude"))
	}()
	go func() {
		defer wg.Done()
		read, readErr = client.Responses.Get(ctx, river.ID, responses.ResponseGetParams{})
	}()
	go func() {
		defer wg.Done()
		refStatus, refAnswer = postResponses(t, e, `{"model":"model-router","routing_config":{"models":["claude"]},"input":[`+
			`{"role":"user","content":"Name a river."},{"type":"item_reference","id":"`+riverItem+`"},`+
			`{"role":"user","content":"And its length?"}]}`)
	}()
	require.Eventually(t, func() bool { return e.srv.keeping.lookupsWaiting() == 3 }, 10*time.Second, time.Millisecond,
		"each lookup waits for the answer's row")
	release()
	wg.Wait()

	require.NoError(t, nextErr)
	require.NoError(t, readErr)
	require.Equal(t, http.StatusOK, refStatus, refAnswer)
	assert.Equal(t, river.ID, read.ID)
	assert.Equal(t, river.OutputText(), read.OutputText())
	assert.Equal(t, "claude", next.Model)
	sent := map[string][]string{}
	for _, req := range e.anthropic.RequestsFor("claude") {
		turns := anthropicTurns(t, req.Body)
		sent[turns[len(turns)-1]] = turns
	}
	assert.Equal(t, []string{"user: Name a lake.", "assistant: " + lake.OutputText(), "user: And its depth?"},
		sent["user: And its depth?"], "the continuation carries the whole conversation")
	assert.Equal(t, []string{"user: Name a river.", "assistant: " + river.OutputText(), "user: And its length?"},
		sent["user: And its length?"], "the item_reference is resolved")
}

// At shutdown FinishKeeping waits for the answers still being written, so
// they are in the file before the store closes; an answer kept after it
// is written before it goes out.
func TestFinishKeepingWritesTheKeptAnswersBeforeTheStoreCloses(t *testing.T) {
	e, st := keptInSQLite(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)
	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)

	finished := make(chan error, 1)
	go func() { finished <- e.srv.FinishKeeping(ctx) }()
	release()
	require.NoError(t, <-finished)
	_, found, err := st.KeptResponse(ctx, made.ID)
	require.NoError(t, err)
	assert.True(t, found, "written before FinishKeeping returned")

	late, err := client.Responses.New(ctx, ask("Name a river."), onModel("claude"))
	require.NoError(t, err)
	_, found, err = st.KeptResponse(ctx, late.ID)
	require.NoError(t, err)
	assert.True(t, found, "written before the answer went out")
}

// While another process holds the database's write lock, the kept answers
// made meanwhile wait their turn to be written, one at a time, rather than
// each holding one of the store's connections for its busy timeout: more
// kept answers than the store has connections leave it connections for
// everything else that reads it (a client key's check on every call, a
// read by id), and the first answer is written once the lock goes.
func TestKeptAnswersWaitingForALockedDatabaseLeaveTheStoreConnections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	// A busy timeout longer than the test: a write that takes the lock's
	// turn waits until the lock is released.
	st, err := store.Open(path, store.WithBusyTimeout(time.Minute))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := newE2E(t, func(c *Config) { c.Responses = sqliteResponses{st} })
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)

	max := st.DB().Stats().MaxOpenConnections
	require.Positive(t, max)
	// At once: each answer waits keepInline for its row first.
	made := make([]*responses.Response, max+4)
	errs := make([]error, len(made))
	var wg sync.WaitGroup
	for i := range made {
		wg.Go(func() { made[i], errs[i] = client.Responses.New(ctx, ask("Name a lake."), onModel("claude")) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	first := made[0]
	inUse := st.DB().Stats().InUse
	release()
	assert.Less(t, inUse, max, "the kept answers waiting for the lock hold the store's connections")

	read, err := client.Responses.Get(ctx, first.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, first.OutputText(), read.OutputText())
	e.keptWritten(t)
}
