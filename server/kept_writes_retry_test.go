package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// lockableKept serves a gateway that keeps answers in a SQLite file whose
// statements wait only 10 ms for another connection's lock: a write the
// lock holds up fails at once, where the store's 5 s busy timeout would
// make the test wait that long. It returns the gateway, its store and
// where the gateway logs.
func lockableKept(t *testing.T, opts ...func(*Config)) (*e2e, *store.Store, *lockedBuffer) {
	t.Helper()
	var logs lockedBuffer
	logged := func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) }
	e, st := keptInSQLiteWaiting(t, 10*time.Millisecond, append([]func(*Config){logged}, opts...)...)
	return e, st, &logs
}

// A kept answer whose write another process's lock holds up past the
// store's busy timeout is not given up: it is tried again until the lock
// is released, and then continued by previous_response_id with its whole
// conversation. (The store's busy timeout here is 10 ms rather than 5 s,
// so the write has failed before its answer goes out.)
func TestAKeptAnswerHeldUpByALockIsWrittenOnceItIsReleasedAndContinued(t *testing.T) {
	e, st, logs := lockableKept(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)

	lake, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", lake.Model)
	release()

	p := ask("And its depth?")
	p.PreviousResponseID = openai.String(lake.ID)
	next, err := client.Responses.New(ctx, p, onModel("claude"))
	require.NoError(t, err)
	assert.Equal(t, "claude", next.Model)
	reqs := e.anthropic.RequestsFor("claude")
	require.NotEmpty(t, reqs)
	assert.Equal(t, []string{"user: Name a lake.", "assistant: " + lake.OutputText(), "user: And its depth?"},
		anthropicTurns(t, reqs[len(reqs)-1].Body), "the continuation carries the whole conversation")
	assert.NotContains(t, logs.String(), "could not keep")
}

// What names a kept answer still being written once its lookup has waited
// (a read, its input_items, a delete, a continuation, an item_reference)
// is answered 503 unavailable with a Retry-After, not 404: the answer
// exists, and the same call finds it once the lock is released.
func TestALookupOfAKeptAnswerStillBeingWrittenIsUnavailableNotNotFound(t *testing.T) {
	e, st, _ := lockableKept(t, func(c *Config) {
		c.keptLimits = keptLimits{lookupWait: 100 * time.Millisecond, retryPause: 10 * time.Millisecond}
	})
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)

	river, err := client.Responses.New(ctx, ask("Name a river."), onModel("claude"))
	require.NoError(t, err)
	require.NotEmpty(t, river.Output)

	unavailable := func(what string, err error) {
		t.Helper()
		apiErr := requireStatus(t, err, http.StatusServiceUnavailable)
		assert.Equal(t, "unavailable", apiErr.Code, what)
		assert.Contains(t, apiErr.Message, "retry it later", what)
		assert.NotEmpty(t, apiErr.Response.Header.Get("Retry-After"), what)
	}
	_, err = client.Responses.Get(ctx, river.ID, responses.ResponseGetParams{})
	unavailable("read", err)
	_, err = client.Responses.InputItems.List(ctx, river.ID, responses.InputItemListParams{})
	unavailable("input_items", err)
	err = client.Responses.Delete(ctx, river.ID)
	unavailable("delete", err)
	p := ask("And its length?")
	p.PreviousResponseID = openai.String(river.ID)
	_, err = client.Responses.New(ctx, p, onModel("claude"))
	unavailable("continuation", err)
	status, answer := postResponses(t, e, `{"model":"model-router","routing_config":{"models":["claude"]},"input":[`+
		`{"type":"item_reference","id":"`+river.Output[0].ID+`"},{"role":"user","content":"And its length?"}]}`)
	assert.Equal(t, http.StatusServiceUnavailable, status, answer)

	release()
	require.Eventually(t, func() bool {
		_, err := client.Responses.Get(ctx, river.ID, responses.ResponseGetParams{})
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "found once written")
	next, err := client.Responses.New(ctx, p, onModel("claude"))
	require.NoError(t, err)
	assert.Equal(t, "claude", next.Model)
}

// The answers waiting for a locked database are held in memory, whole, so
// past the bound on their bytes the oldest is given up, with the warning
// that names it, and the newest is kept: written once the lock goes.
func TestKeptAnswersPastTheMemoryBoundGiveUpTheOldestWithAWarning(t *testing.T) {
	e, st, logs := lockableKept(t, func(c *Config) {
		c.keptLimits = keptLimits{maxBytes: 1, retryPause: 10 * time.Millisecond}
	})
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)

	oldest, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	newest, err := client.Responses.New(ctx, ask("Name a river."), onModel("claude"))
	require.NoError(t, err)

	_, err = client.Responses.Get(ctx, oldest.ID, responses.ResponseGetParams{})
	requireStatus(t, err, http.StatusNotFound)
	var warned []string
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "could not keep a translated Responses answer") {
			warned = append(warned, line)
		}
	}
	require.Len(t, warned, 1, logs.String())
	assert.Contains(t, warned[0], "response_id="+oldest.ID)
	assert.Contains(t, warned[0], "memory bound")

	release()
	read, err := client.Responses.Get(ctx, newest.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, newest.OutputText(), read.OutputText())
}

// failingResponses fails every write as a broken store would, for another
// reason than a database that cannot write for now.
type failingResponses struct{ sqliteResponses }

func (failingResponses) PutResponse(context.Context, StoredResponse) error {
	return errors.New("the disk is on fire")
}

// A kept answer whose write fails for another reason than a lock is tried
// a few times and given up: it has still gone out, the failure is the
// documented warning, and a read by id then finds no kept answer.
func TestAKeptAnswerWhoseWriteFailsIsAnsweredAndWarned(t *testing.T) {
	var logs lockedBuffer
	st, err := store.Open(filepath.Join(t.TempDir(), "kept.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := newE2E(t, func(c *Config) {
		c.Responses = failingResponses{sqliteResponses{st}}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.keptLimits = keptLimits{retryPause: 10 * time.Millisecond}
	})
	client := e.clients()["v1"]

	made, err := client.Responses.New(context.Background(), ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", made.Model)
	_, err = client.Responses.Get(context.Background(), made.ID, responses.ResponseGetParams{})
	requireStatus(t, err, http.StatusNotFound)
	assert.Contains(t, logs.String(), "could not keep a translated Responses answer")
	assert.Contains(t, logs.String(), "response_id="+made.ID)
	assert.Contains(t, logs.String(), "the disk is on fire")
}

// Past the bound while the oldest write is under way (in a try that may
// still write it), that write is given up once its try fails, and the
// next oldest at once: adding more answers neither waits for the try nor
// gives the newest up.
func TestKeptWritesPastTheBoundWhileOneIsUnderWayGiveUpTheNextOldest(t *testing.T) {
	started := make(chan string, 8)
	unblock := make(chan struct{})
	var mu sync.Mutex
	var warned, written []string
	w := newKeptWrites(keptLimits{maxBytes: 1, retryPause: time.Millisecond}, func(_ context.Context, r StoredResponse) error {
		started <- r.ID
		<-unblock
		if r.ID == "resp_a" {
			return router.Errorf(router.EUnavailable, "database is locked")
		}
		mu.Lock()
		defer mu.Unlock()
		written = append(written, r.ID)
		return nil
	}, func(id string, _ error) {
		mu.Lock()
		defer mu.Unlock()
		warned = append(warned, id)
	})
	row := func(id string) StoredResponse {
		return StoredResponse{ID: id, Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)}
	}
	_, ok := w.add(row("resp_a"))
	require.True(t, ok)
	require.Equal(t, "resp_a", <-started)

	added := make(chan [2]<-chan struct{})
	go func() {
		doneB, _ := w.add(row("resp_b"))
		doneC, _ := w.add(row("resp_c"))
		added <- [2]<-chan struct{}{doneB, doneC}
	}()
	var done [2]<-chan struct{}
	select {
	case done = <-added:
	case <-time.After(10 * time.Second):
		t.Fatal("adding an answer past the bound waits for the write under way")
	}
	<-done[0] // resp_b, given up at once
	doneC := done[1]
	close(unblock)
	<-doneC
	require.NoError(t, w.waitAll(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"resp_b", "resp_a"}, warned, "resp_b at once, resp_a once its try failed")
	assert.Equal(t, []string{"resp_c"}, written)
}

// At shutdown the writes still waiting for the lock are tried again
// without the pause between tries (here a minute), so a lock released
// within FinishKeeping's bound still lets them be written before the store
// closes.
func TestFinishKeepingTriesAgainWithoutThePauseBetweenTries(t *testing.T) {
	e, st, logs := lockableKept(t, func(c *Config) { c.keptLimits = keptLimits{retryPause: time.Minute} })
	client := e.clients()["v1"]
	ctx := context.Background()
	release := holdWriteLock(t, st)
	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)

	finished := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		finished <- e.srv.FinishKeeping(ctx)
	}()
	release()
	require.NoError(t, <-finished)
	_, found, err := st.KeptResponse(ctx, made.ID)
	require.NoError(t, err)
	assert.True(t, found, "written before FinishKeeping returned")
	assert.NotContains(t, logs.String(), "could not keep")
}

// A write the lock still holds up when FinishKeeping's bound runs out is
// given up with the warning that names its answer.
func TestFinishKeepingWarnsOfEachAnswerItCouldNotWrite(t *testing.T) {
	e, st, logs := lockableKept(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	holdWriteLock(t, st)
	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)

	bounded, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, e.srv.FinishKeeping(bounded), context.DeadlineExceeded)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "response_id="+made.ID) },
		10*time.Second, time.Millisecond, logs.String())
	assert.Contains(t, logs.String(), "could not keep a translated Responses answer")
	assert.Contains(t, logs.String(), "shut down")
}

// A write the database cannot take is tried again only as long as maxAge:
// then it is given up with the warning that says so.
func TestAKeptWriteTheDatabaseCannotTakePastItsMaxAgeIsGivenUp(t *testing.T) {
	var mu sync.Mutex
	var why []error
	w := newKeptWrites(keptLimits{maxAge: time.Nanosecond, retryPause: time.Millisecond}, func(context.Context, StoredResponse) error {
		return router.Errorf(router.EUnavailable, "database is locked")
	}, func(_ string, err error) {
		mu.Lock()
		defer mu.Unlock()
		why = append(why, err)
	})
	done, ok := w.add(StoredResponse{ID: "resp_a", Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)})
	require.True(t, ok)
	<-done
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, why, 1)
	assert.Contains(t, why[0].Error(), "not written within")
	assert.Contains(t, why[0].Error(), "database is locked")
}

// A write given up is warned of before its lookups go on: whoever is told
// 404 for the answer then finds the warning that names it already logged.
func TestAKeptWriteGivenUpIsWarnedOfBeforeItsLookupsGoOn(t *testing.T) {
	locked := router.Errorf(router.EUnavailable, "database is locked")
	for name, c := range map[string]struct {
		lim keptLimits
		err error
	}{
		"past its max age":      {keptLimits{maxAge: time.Nanosecond, retryPause: time.Millisecond}, locked},
		"failing":               {keptLimits{retryPause: time.Millisecond}, errors.New("the disk is on fire")},
		"past the memory bound": {keptLimits{maxBytes: 1, retryPause: time.Millisecond}, errors.New("the disk is on fire")},
	} {
		start := make(chan struct{})
		var mu sync.Mutex
		dones := map[string]<-chan struct{}{}
		var warned, early []string
		w := newKeptWrites(c.lim, func(context.Context, StoredResponse) error {
			<-start
			return c.err
		}, func(id string, _ error) {
			mu.Lock()
			defer mu.Unlock()
			warned = append(warned, id)
			select {
			case <-dones[id]:
				early = append(early, id)
			default:
			}
		})
		ids := []string{"resp_a", "resp_b", "resp_c"}
		for _, id := range ids {
			done, ok := w.add(StoredResponse{ID: id, Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)})
			require.True(t, ok)
			mu.Lock()
			dones[id] = done
			mu.Unlock()
		}
		close(start)
		for _, id := range ids {
			<-dones[id]
		}
		mu.Lock()
		assert.ElementsMatch(t, ids, warned, name)
		assert.Empty(t, early, "%s: let go before the warning", name)
		mu.Unlock()
	}
}
