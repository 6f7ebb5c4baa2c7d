package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
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

// storeEnv is the management API over a real store, with a Source that
// caches between writes and one that reads the store on every call.
type storeEnv struct {
	*env
	db      *store.Store
	sources map[string]*manage.Source
}

func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	gin.SetMode(gin.TestMode)
	st, err := store.Open(filepath.Join(t.TempDir(), "names.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	cat, err := models.Catalog()
	require.NoError(t, err)
	e := gin.New()
	manage.New(manage.Config{Store: st, Catalog: cat, AdminKey: adminKey,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}).Register(e)
	uncached := struct{ manage.Store }{st} // no DeploymentsVersion: read on every call
	return &storeEnv{env: &env{t: t, handler: e}, db: st, sources: map[string]*manage.Source{
		"cached": manage.NewSource(st, cat), "uncached": manage.NewSource(uncached, cat)}}
}

func decodeResource(t *testing.T, w interface{ Bytes() []byte }) manage.Resource {
	t.Helper()
	var r manage.Resource
	require.NoError(t, json.Unmarshal(w.Bytes(), &r))
	return r
}

func (e *storeEnv) listNames() []string {
	w := e.do(http.MethodGet, "/deployments", "")
	require.Equal(e.t, http.StatusOK, w.Code, w.Body.String())
	var list struct{ Value []manage.Resource }
	require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &list))
	var names []string
	for _, r := range list.Value {
		names = append(names, r.Name)
	}
	return names
}

// A deployment is one name in any case, as in Azure: PUT "Mr" after "mr"
// replaces it, every case gets and deletes it, and it is shown and called
// under the name it was created with.
func TestDeploymentNamesIgnoreCase(t *testing.T) {
	e := newStoreEnv(t)
	w := e.do(http.MethodPut, "/deployments/mr", routerWithCapacity("10"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

	w = e.do(http.MethodPut, "/deployments/Mr", routerWithCapacity("20"))
	require.Equal(t, http.StatusOK, w.Code, "a PUT in another case replaces: %s", w.Body.String())
	assert.Equal(t, "mr", decodeResource(t, w.Body).Name)
	assert.Equal(t, []string{"model-router", "mr"}, e.listNames())

	w = e.do(http.MethodGet, "/deployments/MR", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	got := decodeResource(t, w.Body)
	assert.Equal(t, "mr", got.Name)
	assert.Equal(t, 20, got.SKU.Capacity)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), got.SystemData.CreatedAt)

	for kind, src := range e.sources {
		dep, err := src.Get(context.Background(), "MR")
		require.NoError(t, err, kind)
		assert.Equal(t, "mr", dep.Name, "%s: calls are logged and limited under the kept name", kind)
		assert.Equal(t, 20, dep.Capacity, kind)
	}

	// A body may name the deployment in any case too.
	w = e.do(http.MethodPut, "/deployments/mr", `{"name": "MR", "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	w = e.do(http.MethodDelete, "/deployments/mR", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = e.do(http.MethodGet, "/deployments/mr", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	for kind, src := range e.sources {
		_, err := src.Get(context.Background(), "mr")
		assert.Equal(t, router.ENotFound, router.ErrorCode(err), kind)
	}
}

// A Claude deployment routers still use is protected whatever case its
// DELETE names it in.
func TestAClaudeDeploymentInUseIsKeptInAnyCase(t *testing.T) {
	e := newStoreEnv(t)
	e.mustPut("sonnet", claudeDeployment)
	e.mustPut("mr", routerWithClaude)
	w := e.do(http.MethodDelete, "/deployments/SONNET", "")
	require.Equal(t, http.StatusConflict, w.Code, w.Body.String())
	assert.Equal(t, manage.CodeInUse, decodeErr(t, w).Error.Code)
}

// "model-router" in any case is the built-in deployment: reserved for a
// router, and replaced under its own spelling.
func TestTheBuiltInNameInAnyCase(t *testing.T) {
	e := newStoreEnv(t)
	w := e.do(http.MethodPut, "/deployments/Model-Router", claudeDeployment)
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Equal(t, manage.CodeInvalidName, decodeErr(t, w).Error.Code)

	w = e.do(http.MethodGet, "/deployments/MODEL-ROUTER", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "model-router", decodeResource(t, w.Body).Name)

	w = e.do(http.MethodPut, "/deployments/Model-Router", routerWithCapacity("30"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, "model-router", decodeResource(t, w.Body).Name)
	assert.Equal(t, []string{"model-router"}, e.listNames())
	for kind, src := range e.sources {
		dep, err := src.Get(context.Background(), "MODEL-ROUTER")
		require.NoError(t, err, kind)
		assert.Equal(t, "model-router", dep.Name, kind)
		assert.Equal(t, 30, dep.Capacity, kind)
	}
}

// A database written before names compared without case may hold "mr"
// and "Mr". Both keep working by their own spelling; "MR", which could be
// either, is refused with 409 AmbiguousDeploymentName naming both, and
// changes nothing.
func TestOldNamesDifferingOnlyInCaseKeepWorking(t *testing.T) {
	e := newStoreEnv(t)
	e.mustPut("mr", routerWithCapacity("10"))
	// As an earlier build stored it.
	raw := `{"sku":{"name":"GlobalStandard","capacity":20},"properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`
	_, err := e.db.DB().Exec(`INSERT INTO deployments (name, resource, created, updated) VALUES ('Mr', ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`, raw)
	require.NoError(t, err)

	for name, capacity := range map[string]int{"mr": 10, "Mr": 20} {
		w := e.do(http.MethodGet, "/deployments/"+name, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, capacity, decodeResource(t, w.Body).SKU.Capacity, name)
		for kind, src := range e.sources {
			dep, err := src.Get(context.Background(), name)
			require.NoError(t, err, kind)
			assert.Equal(t, name, dep.Name, kind)
			assert.Equal(t, capacity, dep.Capacity, "%s %s", kind, name)
		}
	}
	w := e.do(http.MethodPut, "/deployments/Mr", routerWithCapacity("25"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "Mr", decodeResource(t, w.Body).Name)

	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		w := e.do(method, "/deployments/MR", routerWithCapacity("99"))
		require.Equal(t, http.StatusConflict, w.Code, "%s: %s", method, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeAmbiguousName, got.Error.Code, method)
		assert.Contains(t, got.Error.Message, `"Mr" and "mr"`, method)
	}
	for kind, src := range e.sources {
		_, err := src.Get(context.Background(), "MR")
		assert.Equal(t, router.EConflict, router.ErrorCode(err), kind)
	}
	assert.Equal(t, []string{"Mr", "model-router", "mr"}, e.listNames(), "nothing was added or removed")

	w = e.do(http.MethodDelete, "/deployments/mr", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = e.do(http.MethodGet, "/deployments/MR", "")
	require.Equal(t, http.StatusOK, w.Code, "one is left: any case finds it: %s", w.Body.String())
	assert.Equal(t, "Mr", decodeResource(t, w.Body).Name)
	assert.Equal(t, 25, decodeResource(t, w.Body).SKU.Capacity)
}
