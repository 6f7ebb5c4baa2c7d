package manage_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

const adminKey = "test-admin-key"

type env struct {
	t     *testing.T
	store *memStore
	// handler is what serve serves: the engine, with Azure Resource
	// Manager's path folded to the case it is registered in.
	handler http.Handler
	source  *manage.Source
}

func newEnv(t *testing.T, key string) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	st := newMemStore()
	api := manage.New(manage.Config{Store: st, Catalog: cat, AdminKey: key,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	e := gin.New()
	api.Register(e)
	api.RegisterAzure(e)
	return &env{t: t, store: st, handler: manage.FoldAzurePath(e), source: manage.NewSource(st, cat)}
}

// do sends a request with the admin key as a bearer token.
func (e *env) do(method, path, body string) *httptest.ResponseRecorder {
	return e.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + adminKey})
}

func (e *env) doWith(method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	return w
}

func (e *env) mustPut(name, body string) {
	e.t.Helper()
	w := e.do(http.MethodPut, "/deployments/"+name, body)
	require.Contains(e.t, []int{http.StatusOK, http.StatusCreated}, w.Code, w.Body.String())
}

type apiErr struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

func decodeErr(t *testing.T, w *httptest.ResponseRecorder) apiErr {
	t.Helper()
	var e apiErr
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	return e
}

const (
	claudeSonnet      = `{"format": "Anthropic", "name": "claude-sonnet-4-5", "version": "20250929"}`
	claudeDeployment  = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": ` + claudeSonnet + `}}`
	routerWithClaude  = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}, ` + claudeSonnet + `]}}}`
	referenceExample  = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}, {"format": "OpenAI", "name": "gpt-5.2-chat", "version": "2025-12-11"}, {"format": "Meta", "name": "Llama-4-Maverick-17B-128E-Instruct-FP8", "version": "1"}]}}}`
	defaultDeployment = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`
)

func routerBody(version, routing string) string {
	b := `{"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "` + version + `"}`
	if routing != "" {
		b += `, "routing": ` + routing
	}
	return b + `}}`
}

// TestPutValidation covers every validation rule of PUT /deployments/{name}
// with the status, code and message a client sees.
func TestPutValidation(t *testing.T) {
	tests := []struct {
		name     string
		setup    []string // PUT bodies, "name=body"
		path     string
		body     string
		status   int
		code     string
		contains []string
	}{
		{name: "reference default body", path: "/deployments/mr", body: defaultDeployment, status: http.StatusCreated},
		{name: "reference subset body", path: "/deployments/mr", body: referenceExample, status: http.StatusCreated},
		{name: "replace answers 200", setup: []string{"mr=" + defaultDeployment}, path: "/deployments/mr", body: referenceExample, status: http.StatusOK},
		{name: "no sku takes the default", path: "/deployments/mr", body: routerBody("2025-11-18", ""), status: http.StatusCreated},
		{name: "mode in any case", path: "/deployments/mr", body: routerBody("2025-11-18", `{"mode": "Quality"}`), status: http.StatusCreated},
		{name: "older version without subset", path: "/deployments/mr", body: routerBody("2025-05-19", `{"mode": "cost"}`), status: http.StatusCreated},

		{name: "not JSON", path: "/deployments/mr", body: `{"sku":`, status: 400, code: manage.CodeInvalidBody, contains: []string{"not a valid deployment"}},
		{name: "empty body", path: "/deployments/mr", body: ``, status: 400, code: manage.CodeInvalidBody, contains: []string{"empty"}},
		{name: "misspelt field", path: "/deployments/mr", body: `{"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routng": {}}}`,
			status: 400, code: manage.CodeInvalidBody, contains: []string{`"routng"`}},
		{name: "wrong type", path: "/deployments/mr", body: `{"sku": {"capacity": "ten"}, "properties": {}}`, status: 400, code: manage.CodeInvalidBody, contains: []string{"capacity"}},
		{name: "name too short", path: "/deployments/m", body: defaultDeployment, status: 400, code: manage.CodeInvalidName, contains: []string{"2-64"}},
		{name: "name with a space", path: "/deployments/my%20router", body: defaultDeployment, status: 400, code: manage.CodeInvalidName},
		{name: "body names another deployment", path: "/deployments/mr", body: `{"name": "other", "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`,
			status: 400, code: manage.CodeInvalidName, contains: []string{`"other"`}},
		{name: "capacity negative", path: "/deployments/mr", body: `{"sku": {"name": "GlobalStandard", "capacity": -1}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`,
			status: 400, code: manage.CodeInvalidSKU, contains: []string{"1,000 tokens per minute"}},
		{name: "unknown router version", path: "/deployments/mr", body: routerBody("2024-01-01", ""), status: 400, code: manage.CodeInvalidModel,
			contains: []string{`"2024-01-01"`, "2025-11-18, 2025-08-07, 2025-05-19"}},
		{name: "unknown mode", path: "/deployments/mr", body: routerBody("2025-11-18", `{"mode": "fast"}`), status: 400, code: manage.CodeInvalidMode,
			contains: []string{`"fast"`, "balanced, quality, cost"}},
		{name: "empty subset", path: "/deployments/mr", body: routerBody("2025-11-18", `{"models": []}`), status: 400, code: manage.CodeInvalidSubset,
			contains: []string{"at least one"}},
		{name: "model not in the version", path: "/deployments/mr", body: routerBody("2025-11-18", `{"models": [{"format": "OpenAI", "name": "gpt-3.5-turbo", "version": "0125"}]}`),
			status: 400, code: manage.CodeInvalidSubset, contains: []string{"gpt-3.5-turbo", `{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}`, `"name": "claude-opus-4-6"`}},
		{name: "model in the version with a wrong version", path: "/deployments/mr", body: routerBody("2025-11-18", `{"models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2024-01-01"}]}`),
			status: 400, code: manage.CodeInvalidSubset, contains: []string{`"2024-01-01"`}},
		{name: "model of a newer version", path: "/deployments/mr", body: routerBody("2025-08-07", `{"models": [{"format": "OpenAI", "name": "gpt-5.2", "version": "2025-12-11"}]}`),
			status: 400, code: manage.CodeInvalidSubset, contains: []string{"does not take a model subset"}},
		{name: "claude not deployed", path: "/deployments/mr", body: routerWithClaude, status: 400, code: manage.CodeInvalidProperties,
			contains: []string{"claude-sonnet-4-5-20250929 must be deployed", `"name": "claude-sonnet-4-5"`}},
		{name: "claude deployed", setup: []string{"sonnet=" + claudeDeployment}, path: "/deployments/mr", body: routerWithClaude, status: http.StatusCreated},
		{name: "claude deployed with another sku", setup: []string{"sonnet=" + strings.Replace(claudeDeployment, "GlobalStandard", "DataZoneStandard", 1)},
			path: "/deployments/mr", body: routerWithClaude, status: 400, code: manage.CodeInvalidProperties, contains: []string{`"DataZoneStandard"`, "must match"}},

		{name: "deploy claude", path: "/deployments/sonnet", body: claudeDeployment, status: http.StatusCreated},
		{name: "a router under the default name", path: "/deployments/model-router", body: referenceExample, status: http.StatusCreated},
		{name: "claude under the default name", path: "/deployments/model-router", body: claudeDeployment, status: 400, code: manage.CodeInvalidName,
			contains: []string{"reserved for the built-in router", "claude-sonnet-4-5"}},
		{name: "deploy a model that needs no deployment", path: "/deployments/gpt", body: `{"properties": {"model": {"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}}}`,
			status: 400, code: manage.CodeInvalidModel, contains: []string{"needs no deployment", "claude-haiku-4-5"}},
		{name: "deploy an unknown model", path: "/deployments/gpt", body: `{"properties": {"model": {"format": "OpenAI", "name": "gpt-9", "version": "1"}}}`,
			status: 400, code: manage.CodeInvalidModel, contains: []string{"not in the catalog", "model-router"}},
		{name: "routing on a model deployment", path: "/deployments/sonnet", body: `{"properties": {"model": ` + claudeSonnet + `, "routing": {"mode": "cost"}}}`,
			status: 400, code: manage.CodeInvalidBody, contains: []string{"only to model-router"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, adminKey)
			for _, s := range tt.setup {
				name, body, _ := strings.Cut(s, "=")
				e.mustPut(name, body)
			}
			w := e.do(http.MethodPut, tt.path, tt.body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.code == "" {
				return
			}
			got := decodeErr(t, w)
			assert.Equal(t, tt.code, got.Error.Code)
			assert.Equal(t, "invalid_request_error", got.Error.Type)
			for _, s := range tt.contains {
				assert.Contains(t, got.Error.Message, s)
			}
		})
	}
}

func TestPutStoresNormalizedResource(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/mr", routerBody("2025-11-18",
		`{"mode": "COST", "models": [{"format": "openai", "name": "GPT-4.1", "version": "2025-04-14"}, {"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}]}`))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	var got manage.Resource
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, "mr", got.Name)
	assert.Equal(t, &manage.SKU{Name: "GlobalStandard", Capacity: 10}, got.SKU)
	assert.Equal(t, "cost", got.Properties.Routing.Mode)
	require.NotNil(t, got.Properties.Routing.Models)
	assert.Equal(t, []router.Ref{{Format: "OpenAI", Name: "gpt-4.1", Version: "2025-04-14"}}, *got.Properties.Routing.Models, "catalog spelling, duplicates dropped")
	assert.Equal(t, "Succeeded", got.Properties.ProvisioningState)
	require.NotNil(t, got.SystemData)

	// A GET body can be PUT back unchanged.
	w = e.do(http.MethodGet, "/deployments/mr", "")
	require.Equal(t, http.StatusOK, w.Code)
	again := e.do(http.MethodPut, "/deployments/mr", w.Body.String())
	assert.Equal(t, http.StatusOK, again.Code, again.Body.String())
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name    string
		key     string // configured admin key
		env     string // MODELROUTER_ADMIN_KEY
		headers map[string]string
		status  int
		code    string
	}{
		{name: "no admin key configured", headers: map[string]string{"Authorization": "Bearer x"}, status: 403, code: manage.CodeDisabled},
		{name: "no credentials", key: adminKey, status: 401, code: manage.CodeBadKey},
		{name: "wrong bearer", key: adminKey, headers: map[string]string{"Authorization": "Bearer nope"}, status: 401, code: manage.CodeBadKey},
		{name: "wrong api-key", key: adminKey, headers: map[string]string{"api-key": "nope"}, status: 401, code: manage.CodeBadKey},
		{name: "bearer", key: adminKey, headers: map[string]string{"Authorization": "Bearer " + adminKey}, status: 200},
		{name: "api-key", key: adminKey, headers: map[string]string{"api-key": adminKey}, status: 200},
		// A key read from a file keeps its newline; no header can carry it.
		{name: "configured key with a trailing newline", key: adminKey + "\n", headers: map[string]string{"Authorization": "Bearer " + adminKey}, status: 200},
		// The caller (serve) reads the environment and passes the key; the
		// API alone does not, so it and the reports cannot disagree.
		{name: "the environment alone is not read", env: "env-key", headers: map[string]string{"api-key": "env-key"}, status: 403, code: manage.CodeDisabled},
		{name: "whitespace only is no key", key: " \n", headers: map[string]string{"Authorization": "Bearer x"}, status: 403, code: manage.CodeDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gin.SetMode(gin.TestMode)
			t.Setenv(manage.EnvAdminKey, tt.env)
			cat, err := models.Catalog()
			require.NoError(t, err)
			eng := gin.New()
			manage.New(manage.Config{Store: newMemStore(), Catalog: cat, AdminKey: tt.key}).Register(eng)
			for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
				path := "/deployments/model-router"
				if method == http.MethodGet {
					path = "/deployments"
				}
				req := httptest.NewRequest(method, path, strings.NewReader(defaultDeployment))
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				eng.ServeHTTP(w, req)
				if tt.code == "" {
					assert.Less(t, w.Code, 500, "%s %s", method, w.Body.String())
					assert.NotContains(t, []int{401, 403}, w.Code, method)
					continue
				}
				assert.Equal(t, tt.status, w.Code, method)
				got := decodeErr(t, w)
				assert.Equal(t, tt.code, got.Error.Code)
				assert.Contains(t, got.Error.Message, manage.EnvAdminKey, "the message says how to enable or use the API")
			}
		})
	}
}

func TestGetListDelete(t *testing.T) {
	e := newEnv(t, adminKey)

	w := e.do(http.MethodGet, "/deployments/model-router", "")
	require.Equal(t, http.StatusOK, w.Code)
	var builtIn manage.Resource
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &builtIn))
	assert.Equal(t, "2025-11-18", builtIn.Properties.Model.Version, "the built-in default runs the latest version")
	assert.Equal(t, "balanced", builtIn.Properties.Routing.Mode)
	assert.Equal(t, 10, builtIn.SKU.Capacity)

	w = e.do(http.MethodGet, "/deployments/nope", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, manage.CodeNotFound, decodeErr(t, w).Error.Code)

	e.mustPut("sonnet", claudeDeployment)
	e.mustPut("mr", routerWithClaude)

	w = e.do(http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusOK, w.Code)
	var list struct{ Value []manage.Resource }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
	var names []string
	for _, r := range list.Value {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"model-router", "mr", "sonnet"}, names)

	tests := []struct {
		name   string
		path   string
		status int
		code   string
		msg    string
	}{
		{"claude deployment still routed to", "/deployments/sonnet", http.StatusConflict, manage.CodeInUse, "routed to by mr"},
		{"built-in default", "/deployments/model-router", http.StatusConflict, manage.CodeInUse, "cannot be deleted"},
		{"unknown", "/deployments/nope", http.StatusNoContent, "", ""},
		{"router", "/deployments/mr", http.StatusOK, "", ""},
		{"router again", "/deployments/mr", http.StatusNoContent, "", ""},
		{"claude once unused", "/deployments/sonnet", http.StatusOK, "", ""},
	}
	for _, tt := range tests {
		w := e.do(http.MethodDelete, tt.path, "")
		require.Equal(t, tt.status, w.Code, "%s: %s", tt.name, w.Body.String())
		if tt.code != "" {
			got := decodeErr(t, w)
			assert.Equal(t, tt.code, got.Error.Code, tt.name)
			assert.Contains(t, got.Error.Message, tt.msg, tt.name)
		}
	}
}

func TestReplacingAClaudeDeploymentInUse(t *testing.T) {
	e := newEnv(t, adminKey)
	e.mustPut("sonnet", claudeDeployment)
	e.mustPut("mr", routerWithClaude)

	w := e.do(http.MethodPut, "/deployments/sonnet", defaultDeployment)
	assert.Equal(t, http.StatusConflict, w.Code, "turning the Claude deployment into a router would strand mr")
	w = e.do(http.MethodPut, "/deployments/sonnet", strings.Replace(claudeDeployment, `"capacity": 10`, `"capacity": 20`, 1))
	assert.Equal(t, http.StatusOK, w.Code, "same model and SKU name, new capacity: fine")
}

// IsAdmin is the one admin check, shared by the management API and the
// reports: the key as a bearer token or api-key, surrounding whitespace
// ignored on either side; an empty key admits no one.
func TestIsAdmin(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	assert.True(t, manage.IsAdmin(h("Authorization", "Bearer k1"), "k1"))
	assert.True(t, manage.IsAdmin(h("api-key", "k1"), "k1\n"))
	assert.True(t, manage.IsAdmin(h("Authorization", "Bearer  k1 "), "k1"))
	assert.False(t, manage.IsAdmin(h("Authorization", "Bearer k2"), "k1"))
	assert.False(t, manage.IsAdmin(h("Authorization", "Basic k1"), "k1"))
	assert.False(t, manage.IsAdmin(h(), "k1"))
	assert.False(t, manage.IsAdmin(h("Authorization", "Bearer "), ""))
	assert.False(t, manage.IsAdmin(h("api-key", ""), " "))
}
