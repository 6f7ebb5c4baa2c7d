package manage_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The admin key is taken after "Bearer" in any case, as HTTP's
// authentication schemes are case-insensitive (RFC 9110, 11.1), so
// `curl -H "authorization: bearer $KEY"` opens the management API.
func TestTheAdminKeyIsTakenAfterBearerInAnyCase(t *testing.T) {
	e := newEnv(t, adminKey)
	for _, scheme := range []string{"bearer", "BEARER"} {
		w := e.doWith(http.MethodGet, "/deployments", "", map[string]string{"Authorization": scheme + " " + adminKey})
		assert.Equal(t, http.StatusOK, w.Code, "%s: %s", scheme, w.Body.String())
	}
}
