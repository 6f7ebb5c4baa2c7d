package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// badThenGood forwards a Chat Completions call to a first model served by
// handler and a second served by the OpenAI fake, and returns what the
// client got.
func badThenGood(t *testing.T, handler http.HandlerFunc, stream bool) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	bad := httptest.NewServer(handler)
	t.Cleanup(bad.Close)
	good := upstreamtest.NewOpenAI(t)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"bad":    {Name: "bad", Kind: upstream.KindOpenAI, BaseURL: bad.URL},
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: good.URL},
	}}
	fwd := &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second, Deadline: 10 * time.Second}
	raw := `{"model":"model-router","stream":` + strconv.FormatBool(stream) + `,"messages":[{"role":"user","content":"hi"}]}`
	rec := httptest.NewRecorder()
	out := fwd.Forward(context.Background(), rec, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(raw), Stream: stream,
		Order: []router.Model{
			{ID: "broken-id", Name: "broken", Provider: "bad", Format: "OpenAI"},
			{ID: "good-id", Name: "good", Provider: "openai", Format: "OpenAI"},
		}})
	return out, rec
}

// Some OpenAI-compatible servers and proxies answer a failed generation with
// HTTP 200 and an OpenAI error object as the body. As when that object comes
// as a stream's first chunk, nothing was answered: the next model is tried,
// also when the client asked for a stream and the provider sent the JSON.
func TestErrorObjectWithStatus200FailsOver(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run("stream="+strconv.FormatBool(stream), func(t *testing.T) {
			errBody := func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"error":{"message":"The upstream model is overloaded","type":"server_error","code":502}}`))
			}
			out, rec := badThenGood(t, errBody, stream)
			assert.Equal(t, "good-id", out.Answered.ID, "the error body was passed on as the answer: %s", rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "overloaded")
			require.Equal(t, http.StatusOK, rec.Code)
		})
	}
}
