package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wrong client keys from one address are answered 401 however many there
// are, never 429: behind a reverse proxy every client shares that address,
// so a limit would let one client retrying a revoked key lock the others
// out, and a gateway-made key cannot be guessed anyway. The address's good
// key goes on working.
func TestWrongClientKeysFromOneAddressNeverLockItOut(t *testing.T) {
	h := New(Config{Router: newTestRouter(t, nil), Keys: keyStore{e2eKey: true}, RequireKeys: true}).Handler()
	call := func(path, key string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = "192.0.2.1:40000"
		r.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 30 {
		w := call("/v1/models", fmt.Sprintf("mr-revoked-%d", i))
		require.Equal(t, http.StatusUnauthorized, w.Code, "wrong key %d: %s", i+1, w.Body)
		assert.Empty(t, w.Header().Get("Retry-After"))
	}
	w := call("/v1/models", e2eKey)
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}
