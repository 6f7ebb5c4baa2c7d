package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/authlimit"
)

// keyedGateway is a gateway that requires keys (only e2eKey is good) and
// limits failed authentications on now's clock. Its handler is called
// directly, so each call can come from an address of its own.
func keyedGateway(t *testing.T, now *time.Time) http.Handler {
	t.Helper()
	return New(Config{
		Router:      newTestRouter(t, nil),
		Keys:        keyStore{e2eKey: true},
		RequireKeys: true,
		AuthLimit:   authlimit.New(authlimit.Config{Now: func() time.Time { return *now }}),
	}).Handler()
}

// from sends method path from addr with key (none when "") and returns the
// answer.
func from(h http.Handler, addr, method, path, key string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = addr
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// After ten wrong keys in a minute, an address gets 429 in the API's error
// shape with Retry-After, its good key included, until the minute is over;
// calls with a good key from other addresses go on.
func TestAnAddressThatGuessesKeysIsRefusedForTheRestOfTheMinute(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	h := keyedGateway(t, &now)
	const guesser = "192.0.2.1:40000"
	for i := range 10 {
		w := from(h, guesser, http.MethodGet, "/v1/models", fmt.Sprintf("mr-guess-%d", i))
		require.Equal(t, http.StatusUnauthorized, w.Code, "guess %d: %s", i+1, w.Body)
	}
	now = now.Add(15 * time.Second)
	w := from(h, guesser, http.MethodGet, "/v1/models", e2eKey)
	assert.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
	assert.Equal(t, "45", w.Header().Get("Retry-After"))
	e := errorOf(t, w.Body.Bytes())
	assert.Equal(t, "rate_limit_error", e.Error.Type)
	assert.Equal(t, authlimit.Reason, *e.Error.Code)

	w = from(h, guesser, http.MethodPost, "/v1/messages", e2eKey)
	assert.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
	assert.Equal(t, "error", errorShapeOf(t, w.Body.Bytes()).Type, "Anthropic's error shape on the Messages API: %s", w.Body)

	assert.Equal(t, http.StatusOK, from(h, "198.51.100.7:40000", http.MethodGet, "/v1/models", e2eKey).Code,
		"another address with a good key")

	now = now.Add(45 * time.Second)
	assert.Equal(t, http.StatusOK, from(h, guesser, http.MethodGet, "/v1/models", e2eKey).Code, "the minute is over")
}

// A call without a key guesses nothing, and a good key is not a failure:
// neither brings an address near the limit.
func TestCallsWithoutAKeyOrWithAGoodOneAreNotCountedAsFailures(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	h := keyedGateway(t, &now)
	for range 30 {
		assert.Equal(t, http.StatusUnauthorized, from(h, "192.0.2.1:40000", http.MethodGet, "/v1/models", "").Code)
		assert.Equal(t, http.StatusOK, from(h, "192.0.2.1:40000", http.MethodGet, "/v1/models", e2eKey).Code)
	}
}
