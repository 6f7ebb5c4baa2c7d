package manage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// gateway is one server's management API over its own store of a shared
// database file; env sends its requests.
type gateway struct {
	*env
	api   *manage.API
	store *store.Store
}

// twoGateways opens one database file twice, as two server processes do.
// The second store waits for no lock (busy timeout 0): a write of its
// that meets the first's write transaction fails at once (503, as one that
// waited past the busy timeout would) rather than waiting for it, so a
// test can make it while the first is paused.
func twoGateways(t *testing.T) (first, second gateway) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	return openGateway(t, path), openGateway(t, path, store.WithBusyTimeout(0))
}

// openGateway serves the management API over the database at path.
func openGateway(t *testing.T, path string, opts ...store.Option) gateway {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	st, err := store.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	api := manage.New(manage.Config{Store: st, Catalog: cat, AdminKey: adminKey})
	eng := gin.New()
	api.Register(eng)
	return gateway{env: &env{t: t, handler: eng}, api: api, store: st}
}

// Two gateways on one database: while the first has checked that the
// Claude model a new router lists is deployed, the second cannot delete
// that deployment (its check, that no router lists the model, would pass,
// and the router would be left with nothing to call): the first's checks
// and write are one write transaction. Once the router is written, the
// delete is refused 409 DeploymentInUse.
func TestAClaudeDeploymentCannotBeDeletedByAnotherGatewayWhileARouterListingItIsWritten(t *testing.T) {
	first, second := twoGateways(t)
	w := first.do(http.MethodPut, "/deployments/sonnet", claudeDeployment)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

	var during *httptest.ResponseRecorder
	manage.SetAfterChecks(first.api, func() {
		if during == nil {
			during = second.do(http.MethodDelete, "/deployments/sonnet", "")
		}
	})
	w = first.do(http.MethodPut, "/deployments/mr", routerWithClaude)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	require.NotNil(t, during)
	assert.NotEqual(t, http.StatusOK, during.Code, "deleted between the router's check and its write: %s", during.Body.String())
	assert.Equal(t, http.StatusServiceUnavailable, during.Code, "the database is locked (this store waits for no lock): retry it: %s", during.Body.String())

	w = second.do(http.MethodGet, "/deployments/sonnet", "")
	assert.Equal(t, http.StatusOK, w.Code, "the router's Claude model is still deployed: %s", w.Body.String())
	w = second.do(http.MethodDelete, "/deployments/sonnet", "")
	assert.Equal(t, http.StatusConflict, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), manage.CodeInUse)
}

// Two gateways on one database, two admins each replacing a deployment
// with If-Match of the tag they read: one write wins and the other is
// refused 412, rather than the second undoing the first unseen, even when
// the second is sent while the first is between its If-Match check and
// its write.
func TestIfMatchHoldsAcrossTwoGatewaysOnOneDatabase(t *testing.T) {
	first, second := twoGateways(t)
	w := first.do(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	read := w.Header().Get("ETag")

	var during *httptest.ResponseRecorder
	manage.SetAfterChecks(first.api, func() {
		if during == nil {
			during = second.doWith(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "quality"}`), ifMatch(read))
		}
	})
	w = first.doWith(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), ifMatch(read))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.NotNil(t, during)
	assert.NotEqual(t, http.StatusOK, during.Code, "written between the first's If-Match check and its write: %s", during.Body.String())
	assert.Equal(t, http.StatusServiceUnavailable, during.Code, during.Body.String())

	w = second.doWith(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "quality"}`), ifMatch(read))
	assert.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
	w = second.do(http.MethodGet, "/deployments/mr", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "cost", decodeResource(t, w.Body).Properties.Routing.Mode, "the first admin's change stands")
}

// With the store's usual busy timeout, a delete sent to another gateway
// while a router that lists the Claude model is being written waits for
// that write and is then refused 409 DeploymentInUse, whenever it reaches
// the database.
func TestADeleteThatWaitsForAnotherGatewaysRouterIsRefusedInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	first, second := openGateway(t, path), openGateway(t, path)
	w := first.do(http.MethodPut, "/deployments/sonnet", claudeDeployment)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

	deleted := make(chan *httptest.ResponseRecorder, 1)
	manage.SetAfterChecks(first.api, func() {
		manage.SetAfterChecks(first.api, nil)
		go func() { deleted <- second.do(http.MethodDelete, "/deployments/sonnet", "") }()
	})
	w = first.do(http.MethodPut, "/deployments/mr", routerWithClaude)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = <-deleted
	assert.Equal(t, http.StatusConflict, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), manage.CodeInUse)
}

// Two gateways on one database, each routing with its copy of the
// deployments: a deployment created through the first is routed by the
// second at once, although the second's copy is fresh (a name missing from
// it is looked up), rather than answered 404 until the copy is a second
// old; one deleted through the first is routed by the second until then.
func TestAnotherGatewayRoutesADeploymentCreatedThroughTheFirstAtOnce(t *testing.T) {
	first, second := twoGateways(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	routes := manage.NewSource(second.store, cat)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	manage.SetSourceClock(routes, func() time.Time { return now })
	ctx := context.Background()
	_, err = routes.Get(ctx, "model-router")
	require.NoError(t, err, "the second gateway has taken its copy")

	w := first.do(http.MethodPut, "/deployments/fresh", routerBody("2025-11-18", `{"mode": "cost"}`))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	d, err := routes.Get(ctx, "FRESH")
	require.NoError(t, err, "created through the other gateway")
	assert.Equal(t, "fresh", d.Name)
	assert.Equal(t, router.ModeCost, d.Mode)

	require.Equal(t, http.StatusOK, first.do(http.MethodDelete, "/deployments/fresh", "").Code)
	_, err = routes.Get(ctx, "fresh")
	assert.NoError(t, err, "its copy holds the deleted deployment until it is SnapshotMaxAge old")
	now = now.Add(manage.SnapshotMaxAge)
	_, err = routes.Get(ctx, "fresh")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "deleted through the other gateway")
}

// ifMatch is the admin's headers with If-Match tag.
func ifMatch(tag string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + adminKey, "If-Match": tag}
}
