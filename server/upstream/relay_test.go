package upstream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// relay sends a Relay call for the answer id to model and returns what the
// client got.
func relay(t *testing.T, fwd *upstream.Forwarder, m string, method, path, query string) (*httptest.ResponseRecorder, upstream.Outcome) {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	out := fwd.Forward(context.Background(), w, upstream.Call{
		API: upstream.APIResponses, Stream: q.Get("stream") == "true",
		Order: []router.Model{openAIModel(m)},
		Relay: &upstream.Relay{Method: method, Path: path, Query: q},
	})
	return w, out
}

func TestRelayReadsAStoredAnswerFromItsProvider(t *testing.T) {
	f := newFakes(t)
	id := storedID(t, f)

	w, out := relay(t, f.fwd, "model-a", http.MethodGet, "/"+id, "include[]=reasoning.encrypted_content&api-version=2025-04-01-preview")
	require.NoError(t, out.Err)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, id, got["id"])
	assert.Equal(t, "model-a-id", got["model"], "named as on every answer: the catalog id")
	assert.Equal(t, "completed", got["status"])
	assert.Equal(t, "model-a-id", w.Header().Get(upstream.HeaderModel))
	assert.NotContains(t, got, "model_selection_details", "a read is no routing decision")

	reqs := f.openai.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, http.MethodGet, last.Method)
	assert.Equal(t, "/v1/responses/"+id, last.Path)
	assert.Equal(t, "include%5B%5D=reasoning.encrypted_content", last.Query, "api-version is the client's, not passed on")
	assert.Equal(t, "Bearer "+f.openai.Key, last.Header.Get("Authorization"))
}

func TestRelayPassesOnWhatHasNoModel(t *testing.T) {
	f := newFakes(t)
	id := storedID(t, f)

	w, out := relay(t, f.fwd, "model-a", http.MethodGet, "/"+id+"/input_items", "order=asc")
	require.NoError(t, out.Err)
	require.Equal(t, http.StatusOK, w.Code)
	var list map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
	assert.Equal(t, "list", list["object"])
	assert.NotContains(t, list, "model")
	require.Len(t, list["data"], 1)

	w, out = relay(t, f.fwd, "model-a", http.MethodDelete, "/"+id, "")
	require.NoError(t, out.Err)
	assert.JSONEq(t, `{"id":"`+id+`","object":"response.deleted","deleted":true}`, w.Body.String())
	assert.False(t, f.openai.Stored(id))

	// The provider's own 404 reaches the client, in OpenAI's shape.
	w, out = relay(t, f.fwd, "model-a", http.MethodGet, "/"+id, "")
	require.Error(t, out.Err)
	assert.True(t, out.Wrote)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Contains(t, w.Body.String(), "not found")
}

func TestRelayStreamsABackgroundAnswer(t *testing.T) {
	f := newFakes(t)
	id := backgroundID(t, f)

	w, out := relay(t, f.fwd, "model-a", http.MethodGet, "/"+id, "stream=true&starting_after=1")
	require.NoError(t, out.Err)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
	frames := dataFrames(t, w.Body.Bytes())
	require.NotEmpty(t, frames)
	first := decode(t, frames[0])
	assert.EqualValues(t, 2, first["sequence_number"], "resumed after the event the client had")
	last := decode(t, frames[len(frames)-1])
	assert.Equal(t, "response.completed", last["type"])
	assert.Equal(t, "model-a-id", last["response"].(map[string]any)["model"])
	reqs := f.openai.Requests()
	assert.Equal(t, "text/event-stream", reqs[len(reqs)-1].Header.Get("Accept"))

	w, _ = relay(t, f.fwd, "model-a", http.MethodPost, "/"+id+"/cancel", "")
	assert.Equal(t, http.StatusBadRequest, w.Code, "a completed answer cannot be cancelled: the provider says so")
}

// The endpoint may be given as the resource root or in the v1 API's form
// (".../openai/v1/"); either way the stored answer is read at the v1 path.
func TestRelayReachesAzureByItsV1Path(t *testing.T) {
	for _, suffix := range []string{"", "/openai/v1/"} {
		t.Run("endpoint"+suffix, func(t *testing.T) {
			az := upstreamtest.NewOpenAI(t)
			az.Key = "az-key"
			fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
				"AZURE_OPENAI_ENDPOINT": az.Root + suffix, "AZURE_OPENAI_API_KEY": az.Key,
			})), AttemptTimeout: 2 * time.Second}
			req, err := http.NewRequest(http.MethodPost, az.Root+"/openai/v1/responses", strings.NewReader(`{"model":"m","input":"hi"}`))
			require.NoError(t, err)
			req.Header.Set("api-key", az.Key)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var made struct{ ID string }
			require.NoError(t, json.NewDecoder(res.Body).Decode(&made))
			res.Body.Close()

			w, out := relay(t, fwd, "model-a", http.MethodGet, "/"+made.ID, "")
			require.NoError(t, out.Err)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			reqs := az.Requests()
			assert.Equal(t, "/openai/v1/responses/"+made.ID, reqs[len(reqs)-1].Path)
			assert.Equal(t, "az-key", reqs[len(reqs)-1].Header.Get("api-key"))
		})
	}
}

// A Claude model has nothing stored to relay to: the call fails without
// a request.
func TestRelayRefusesAProviderThatStoresNothing(t *testing.T) {
	f := newFakes(t)
	w := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), w, upstream.Call{
		API: upstream.APIResponses, Order: []router.Model{anthropicModel("claude-x")},
		Relay: &upstream.Relay{Method: http.MethodGet, Path: "/resp_1"},
	})
	require.Error(t, out.Err)
	assert.False(t, out.Wrote)
	assert.Contains(t, out.Attempts[0].Error, "stores no Responses API answers")
	assert.Empty(t, f.anthropic.Requests())
}

// backgroundID starts a background answer at the OpenAI fake.
func backgroundID(t *testing.T, f *fakes) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.openai.URL+"/responses", strings.NewReader(`{"model":"model-a","input":"a long job","background":true}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.openai.Key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct{ ID, Status string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, "queued", out.Status)
	return out.ID
}

// relayTo relays a call to a provider served by h, through a Forwarder
// with a 2 s attempt timeout that tune may change.
func relayTo(t *testing.T, h http.HandlerFunc, tune func(*upstream.Forwarder), method, path string, stream bool) (*httptest.ResponseRecorder, upstream.Outcome) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
		"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-x",
	})), AttemptTimeout: 2 * time.Second}
	if tune != nil {
		tune(fwd)
	}
	w := httptest.NewRecorder()
	out := fwd.Forward(context.Background(), w, upstream.Call{
		API: upstream.APIResponses, Stream: stream, Order: []router.Model{openAIModel("model-a")},
		Relay: &upstream.Relay{Method: method, Path: path},
	})
	return w, out
}

// Only one provider has the answer, so there is nothing to fail over to:
// its 429 or 5xx is the client's, with when to retry.
func TestRelayPassesOnRateLimitsAndServerErrors(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"message":"try later","type":"requests"}}`))
		}, nil, http.MethodGet, "/resp_1", false)
		assert.True(t, out.Wrote)
		assert.Equal(t, status, w.Code)
		assert.Equal(t, "7", w.Header().Get("Retry-After"))
		assert.Contains(t, w.Body.String(), "try later")
	}
}

// A provider that deletes with 204 No Content has deleted the answer.
func TestRelayPassesOnAnEmptyAnswer(t *testing.T) {
	w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}, nil, http.MethodDelete, "/resp_1", false)
	require.NoError(t, out.Err)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, w.Body.String())
}

// A replay resumed after its last event has no events: a whole answer,
// not a broken stream.
func TestRelayEndsAStreamWhereTheProviderEndsIt(t *testing.T) {
	w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
	}, nil, http.MethodGet, "/resp_1", true)
	require.NoError(t, out.Err)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
	assert.Empty(t, w.Body.String())
}

// A background answer read as it is written may run past the call
// deadline: the relayed stream has none.
func TestRelayStreamOutlivesTheCallDeadline(t *testing.T) {
	w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for i := range 5 {
			fmt.Fprintf(w, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":%d,\"delta\":\"x\"}\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
		fmt.Fprint(w, "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":5,\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"model\":\"m\"}}\n\n")
	}, func(f *upstream.Forwarder) { f.Deadline = 200 * time.Millisecond }, http.MethodGet, "/resp_1", true)
	require.NoError(t, out.Err)
	assert.Contains(t, w.Body.String(), `"model":"model-a-id"`)
	assert.Contains(t, w.Body.String(), "response.completed")
}

// relayIdleTo relays a streamed read with a 400 ms idle limit: wide enough
// that a busy machine's scheduling delay between two 40 ms events never
// reaches it.
func relayIdleTo(t *testing.T, h http.HandlerFunc) (*httptest.ResponseRecorder, upstream.Outcome) {
	t.Helper()
	return relayTo(t, h, func(f *upstream.Forwarder) { f.StreamIdle = 400 * time.Millisecond }, http.MethodGet, "/resp_1", true)
}

// A stream whose answer keeps coming lives past the idle limit; one that
// goes silent is cut at it, saying so, and so is one that sends only
// keep-alives (comments or keepalive events): they say the connection is
// open, not that the answer moves.
func TestRelayStreamIdleLimit(t *testing.T) {
	completed := "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":17,\"response\":{\"id\":\"resp_1\",\"status\":\"completed\"}}\n\n"
	w, out := relayIdleTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":0}\n\n")
		w.(http.Flusher).Flush()
		for i := range 16 {
			time.Sleep(40 * time.Millisecond)
			fmt.Fprintf(w, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":%d,\"delta\":\"x\"}\n\n", i+1)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, completed)
	})
	require.NoError(t, out.Err, "640 ms of events at 40 ms")
	assert.Contains(t, w.Body.String(), "response.completed")

	for name, wait := range map[string]func(w http.ResponseWriter, r *http.Request){
		"silent": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		"keepalive comments only": func(w http.ResponseWriter, r *http.Request) {
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					fmt.Fprint(w, ": keepalive\n\n")
					w.(http.Flusher).Flush()
				}
			}
		},
		// OpenAI's own, numbered with the answer's events; bounded, so a
		// stream they kept open ends rather than hangs.
		"keepalive events only": func(w http.ResponseWriter, r *http.Request) {
			for i := range 100 {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					fmt.Fprintf(w, "event: keepalive\ndata: {\"type\":\"keepalive\",\"sequence_number\":%d}\n\n", i+1)
					w.(http.Flusher).Flush()
				}
			}
		},
	} {
		w, out = relayIdleTo(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":0}\n\n")
			w.(http.Flusher).Flush()
			wait(w, r)
		})
		require.Error(t, out.Err, name)
		assert.Contains(t, w.Body.String(), "nothing for 400ms", "%s: the client's error event says why", name)
	}

	// A provider that answers a streamed read with JSON is bound the same way.
	_, out = relayIdleTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"id":"resp_1",`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	require.Error(t, out.Err)
	assert.Contains(t, out.Attempts[0].Error, "nothing for 400ms")
}

// A relayed read of an answer whose call continued a kept answer
// (Call.Continues, from the decision log) names it where the provider's
// object names none (null: the provider got that conversation whole); an
// id the provider names is its own continuation and goes out as it came,
// and what is no response object (a list) gains nothing.
func TestRelayNamesTheContinuedAnswerWhereTheProviderNamesNone(t *testing.T) {
	f := newFakes(t)
	alone := storedID(t, f)
	req, err := http.NewRequest(http.MethodPost, f.openai.URL+"/responses",
		strings.NewReader(`{"model":"model-a-id","input":"more","previous_response_id":"`+alone+`"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.openai.Key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var native struct{ ID string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&native))
	res.Body.Close()

	read := func(path string) map[string]any {
		t.Helper()
		w := httptest.NewRecorder()
		out := f.fwd.Forward(context.Background(), w, upstream.Call{
			API: upstream.APIResponses, Order: []router.Model{openAIModel("model-a")}, Continues: "resp_kept",
			Relay: &upstream.Relay{Method: http.MethodGet, Path: path},
		})
		require.NoError(t, out.Err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		return got
	}
	assert.Equal(t, "resp_kept", read("/" + alone)["previous_response_id"], "the provider's null")
	assert.Equal(t, alone, read("/" + native.ID)["previous_response_id"], "the provider's own id")
	assert.NotContains(t, read("/"+alone+"/input_items"), "previous_response_id", "a list")
}
