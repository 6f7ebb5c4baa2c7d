package upstream_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Azure's api-version names the client's API version, never the
// provider's: it is dropped from a relayed read whatever its case, as
// Azure reads query names in any case.
func TestRelayDropsApiVersionInAnyCase(t *testing.T) {
	f := newFakes(t)
	id := storedID(t, f)
	w, out := relay(t, f.fwd, "model-a", http.MethodGet, "/"+id, "API-Version=2024-02-01&Api-version=x&after=item_1")
	require.NoError(t, out.Err)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	reqs := f.openai.Requests()
	assert.Equal(t, "after=item_1", reqs[len(reqs)-1].Query)
}

// A relayed error's wait reaches the client as the gateway writes every
// wait (whole seconds and retry-after-ms, at most 24 hours), not as the
// provider's text: a header of 100 KB, or one that is no wait, would
// otherwise go to the client as it came.
func TestRelayWritesTheProvidersWaitInTheGatewaysForm(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, c := range []struct {
		name, header, value string
		after, afterMs      string
	}{
		{"seconds", "Retry-After", "7", "7", "7000"},
		{"huge", "Retry-After", "1" + strings.Repeat("0", 100<<10), "86400", "86400000"},
		{"not a wait", "Retry-After", "soon\tplease", "", ""},
		{"milliseconds", "Retry-After-Ms", "1500", "2", "1500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set(c.header, c.value)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"error":{"message":"try later","type":"requests"}}`))
			}, nil, http.MethodGet, "/resp_1", false)
			assert.True(t, out.Wrote)
			assert.Equal(t, http.StatusTooManyRequests, w.Code)
			assert.Equal(t, c.after, w.Header().Get("Retry-After"))
			assert.Equal(t, c.afterMs, w.Header().Get("Retry-After-Ms"))
		})
	}
	t.Run("date", func(t *testing.T) {
		w, _ := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", date)
			w.WriteHeader(http.StatusServiceUnavailable)
		}, nil, http.MethodGet, "/resp_1", false)
		got := w.Header().Get("Retry-After")
		assert.Contains(t, []string{"89", "90"}, got, "the date as seconds from now")
	})
}
