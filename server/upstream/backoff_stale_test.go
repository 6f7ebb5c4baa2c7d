package upstream_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// storedIDFor makes an answer of model at the OpenAI fake directly (not
// through the Forwarder) and returns its id.
func storedIDFor(t *testing.T, f *fakes, model string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.openai.URL+"/responses", strings.NewReader(`{"model":"`+model+`","input":"hi"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.openai.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var got struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	require.NotEmpty(t, got.ID)
	return got.ID
}

// A provider's 429 says "not now"; an answer to a call that was sent
// before it says nothing about now, so it does not end the wait. Rate
// limits are hit when many calls run at once, and the slow ones finish
// after the 429. (Health ignores such stale outcomes for the same reason.)
func TestAnAnswerSentBeforeThe429DoesNotEndTheWait(t *testing.T) {
	rig := newBackoffRig(t)
	busy, well := openAIModel("busy"), openAIModel("well")
	rig.f.openai.Set("busy", upstreamtest.Behavior{Delay: 400 * time.Millisecond})

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a long call, sent before the provider's limit is hit
		defer wg.Done()
		rig.call(t, busy)
	}()
	require.Eventually(t, func() bool { return len(rig.f.openai.RequestsFor("busy")) == 1 }, time.Second, 5*time.Millisecond)

	rig.f.openai.Set("busy", tooMany("Retry-After", "30"))
	out := rig.call(t, busy, well)
	require.Equal(t, "well-id", out.Answered.ID)
	require.Equal(t, 30*time.Second, rig.backoff.Wait(busy))

	wg.Wait() // the long call is answered
	assert.Equal(t, 30*time.Second, rig.backoff.Wait(busy),
		"the provider asked for 30 s after that call was sent: its answer does not end the wait")
}

// A read of a stored answer by id (a relay: GET /v1/responses/{id},
// background polling) is not a generation: the provider's 200 to it says
// nothing about the rate limit its 429 reported, so it does not end the
// model's wait (a client polling every second would undo every one).
func TestARelayedReadDoesNotEndTheWait(t *testing.T) {
	rig := newBackoffRig(t)
	busy, well := openAIModel("busy"), openAIModel("well")
	rig.f.openai.Set("busy", tooMany("Retry-After", "30"))
	rig.call(t, busy, well)
	require.Equal(t, 30*time.Second, rig.backoff.Wait(busy))

	rig.f.openai.Set("busy", upstreamtest.Behavior{})
	id := storedIDFor(t, rig.f, "busy")
	require.Equal(t, 30*time.Second, rig.backoff.Wait(busy), "made outside the gateway")
	w, out := relay(t, rig.f.fwd, "busy", http.MethodGet, "/"+id, "")
	require.NoError(t, out.Err)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, 30*time.Second, rig.backoff.Wait(busy), "a read by id does not end a generation wait")
}
