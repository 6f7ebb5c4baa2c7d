package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// gatedJobEnds is the store's decision log whose notes of how a job ended
// each wait, once begun, until the test opens their gate (or the note's
// time is up).
type gatedJobEnds struct {
	*bookingLog
	begun  chan string // the response id of each note begun
	gates  map[string]chan struct{}
	opened sync.Map
}

func (l *gatedJobEnds) NoteJobEnd(ctx context.Context, id, status string) error {
	select {
	case l.begun <- id:
	case <-ctx.Done():
	}
	select {
	case <-l.gates[id]:
	case <-ctx.Done():
	}
	return l.Log.NoteJobEnd(ctx, id, status)
}

// open opens id's gate; again, it does nothing.
func (l *gatedJobEnds) open(id string) {
	if _, was := l.opened.LoadOrStore(id, true); !was {
		close(l.gates[id])
	}
}

// A client that cancels a background job and rates it at once is refused,
// although the note of how the job ended is still being written when the
// rating comes: the rating waits for the bookings queued before it. And
// only for those: a booking queued after it (another client's read, one
// after another while reads keep coming) does not keep it waiting.
func TestARatingWaitsForTheBookingsQueuedBeforeItOnly(t *testing.T) {
	gl := &gatedJobEnds{begun: make(chan string, 4), gates: map[string]chan struct{}{}}
	e, st := newBookingE2E(t, 0, func(c *Config, st *store.Store) {
		c.Feedback = st
		gl.bookingLog = c.Log.(*bookingLog)
		c.Log = gl
	})
	parked := make(chan struct{}, 1)
	e.srv.books.parked = func() { parked <- struct{}{} }
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})
	client := e.clients()["v1"]
	ctx := context.Background()

	first, second := startBackground(t, e), startBackground(t, e)
	gl.gates[first], gl.gates[second] = make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { gl.open(first); gl.open(second) }) // before the bookings are waited for
	_, err := client.Responses.Cancel(ctx, first)
	require.NoError(t, err)
	require.Equal(t, first, <-gl.begun, "the first job's end is being noted")

	type answer struct {
		status int
		body   string
	}
	rated := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/feedback",
			strings.NewReader(`{"request_id":"`+first+`","score":0}`))
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			rated <- answer{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		rated <- answer{resp.StatusCode, string(body)}
	}()
	select {
	case <-parked:
	case a := <-rated:
		t.Fatalf("rated before the job's end was noted: %d %s", a.status, a.body)
	}

	cancelled, err := client.Responses.Cancel(ctx, second)
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)
	gl.open(first)
	require.Equal(t, second, <-gl.begun, "the second job's end is being noted, after the rating came")

	select {
	case a := <-rated:
		require.Equal(t, http.StatusBadRequest, a.status, a.body)
		assert.Contains(t, a.body, "ended cancelled")
	case <-time.After(30 * time.Second): // a guard against hanging, not a measure
		t.Fatal("the rating still waits for the booking queued after it")
	}
	assert.Nil(t, loggedRow(t, st, first).Feedback)
}

// stuckJobEnds is the store's decision log whose notes of how a job ended
// wait, once begun, until the test ends, their deadline notwithstanding:
// a database that stays locked for every booking queued.
type stuckJobEnds struct {
	*bookingLog
	begun chan string
	gate  chan struct{}
}

func (l *stuckJobEnds) NoteJobEnd(ctx context.Context, id, status string) error {
	l.begun <- id
	<-l.gate
	return l.Log.NoteJobEnd(ctx, id, status)
}

// A rating waits for the bookings queued before it only so long
// (ratingWaitsForBookings, here shortened): with a booking that never
// ends, it goes on and is answered rather than hang. The job's end is not
// noted yet, so the rating is taken, as a job rated before any read found
// it over is.
func TestARatingDoesNotWaitForeverForTheBookingsQueuedBeforeIt(t *testing.T) {
	sl := &stuckJobEnds{begun: make(chan string, 1), gate: make(chan struct{})}
	e, st := newBookingE2E(t, 0, func(c *Config, st *store.Store) {
		c.Feedback = st
		sl.bookingLog = c.Log.(*bookingLog)
		c.Log = sl
	})
	parked := make(chan struct{}, 1)
	e.srv.books.parked = func() { parked <- struct{}{} }
	e.srv.books.settleWait = time.Millisecond
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})

	job := startBackground(t, e)
	t.Cleanup(func() { close(sl.gate) }) // before the bookings are waited for
	client := e.clients()["v1"]
	_, err := client.Responses.Cancel(context.Background(), job)
	require.NoError(t, err)
	require.Equal(t, job, <-sl.begun, "the job's end is being noted")

	rated := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/feedback",
			strings.NewReader(`{"request_id":"`+job+`","score":0.25}`))
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
		}
		rated <- resp
	}()
	select {
	case resp := <-rated:
		require.NotNil(t, resp)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	case <-time.After(30 * time.Second): // a guard against hanging, not a measure
		t.Fatal("the rating still waits for a booking that never ends")
	}
	select {
	case <-parked:
	default:
		t.Fatal("the rating did not wait for the booking queued before it")
	}
	fb := loggedRow(t, st, job).Feedback
	require.NotNil(t, fb)
	assert.InDelta(t, 0.25, fb.Score, 1e-9)
}
