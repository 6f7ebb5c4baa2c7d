package manage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/manage"
)

// The admin key is the operator's choice and may be weak, so guessing it
// is limited: after ten distinct wrong keys from one address, its calls get
// 429 with Retry-After, the right key included, while another address with
// the right key goes on. A client key the gateway knows is no guess at the
// admin key and is not counted, and one stale key resent by a script's
// retries counts once.
func TestAnAddressThatGuessesTheAdminKeyIsRefused(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	e := gin.New()
	known := func(_ context.Context, key string) bool { return key == "mr-a-client-key" }
	manage.New(manage.Config{Store: newMemStore(), Catalog: cat, AdminKey: adminKey,
		AuthLimit: authlimit.New(authlimit.Config{KnownKey: known})}).Register(e)
	get := func(addr, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/deployments", nil)
		req.RemoteAddr = addr
		req.Header.Set("api-key", key)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w
	}
	for range 30 {
		require.Equal(t, http.StatusUnauthorized, get("192.0.2.1:4000", "mr-a-client-key").Code)
	}
	require.Equal(t, http.StatusOK, get("192.0.2.1:4000", adminKey).Code, "a client key is not counted")

	for range 50 {
		require.Equal(t, http.StatusUnauthorized, get("192.0.2.1:4000", "a-stale-admin-key").Code)
	}
	require.Equal(t, http.StatusOK, get("192.0.2.1:4000", adminKey).Code, "one wrong key resent is no guessing")

	// The stale key was the first of ten distinct wrong keys.
	for i := range 9 {
		require.Equal(t, http.StatusUnauthorized, get("192.0.2.1:4000", fmt.Sprintf("not-the-admin-key-%d", i)).Code)
	}
	w := get("192.0.2.1:4000", adminKey)
	assert.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	assert.Equal(t, authlimit.Reason, decodeErr(t, w).Error.Code)
	assert.Equal(t, http.StatusOK, get("198.51.100.7:4000", adminKey).Code)
}
