package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

// fakeRouterModel reloads into "v2", or fails with err.
type fakeRouterModel struct {
	info    manage.RouterModelInfo
	err     error
	reloads int
}

func (f *fakeRouterModel) Current() manage.RouterModelInfo { return f.info }

func (f *fakeRouterModel) Reload(context.Context) (manage.RouterModelInfo, error) {
	f.reloads++
	if f.err != nil {
		return f.info, f.err
	}
	f.info = manage.RouterModelInfo{Version: "v2", Replaced: f.info.Version, Dir: f.info.Dir, OwnProfiles: []string{"m"}}
	return f.info, nil
}

func routerModelEngine(t *testing.T, rm manage.RouterModel) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	cfg := manage.Config{Store: newMemStore(), Catalog: cat, AdminKey: adminKey}
	if rm != nil {
		cfg.RouterModel = rm
	}
	e := gin.New()
	manage.New(cfg).Register(e)
	return e
}

func call(e *gin.Engine, method, path, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.Header.Set("api-key", key)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func TestRouterModelEndpoints(t *testing.T) {
	rm := &fakeRouterModel{info: manage.RouterModelInfo{Version: "v1", Dir: "/models/router", OwnProfiles: []string{}}}
	e := routerModelEngine(t, rm)

	w := call(e, http.MethodGet, "/router-model", adminKey)
	require.Equal(t, http.StatusOK, w.Code)
	var got manage.RouterModelInfo
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, "v1", got.Version)

	assert.Equal(t, http.StatusUnauthorized, call(e, http.MethodPost, "/router-model/reload", "wrong").Code)
	assert.Zero(t, rm.reloads, "no reload without the admin key")

	w = call(e, http.MethodPost, "/router-model/reload", adminKey)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, "v2", got.Version)
	assert.Equal(t, "v1", got.Replaced)

	rm.err = &router.Error{Code: router.EConflict, Reason: "router_model_invalid", Message: "the router model in /models/router could not be loaded"}
	w = call(e, http.MethodPost, "/router-model/reload", adminKey)
	assert.Equal(t, http.StatusConflict, w.Code)
	apiError := decodeErr(t, w)
	assert.Equal(t, "router_model_invalid", apiError.Error.Code)
	assert.Contains(t, apiError.Error.Message, "could not be loaded")
}

func TestNoRouterModelEndpointsWithoutOne(t *testing.T) {
	e := routerModelEngine(t, nil)
	assert.Equal(t, http.StatusNotFound, call(e, http.MethodGet, "/router-model", adminKey).Code)
	assert.Equal(t, http.StatusNotFound, call(e, http.MethodPost, "/router-model/reload", adminKey).Code)
}
