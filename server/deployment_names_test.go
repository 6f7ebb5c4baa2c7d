package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/ratelimit"
	"github.com/modelrouter/modelrouter/store"
)

// namedRouter is a router deployment over the test catalog: mode quality
// answers with "large", cost with "nano" (Balanced, the default's, with
// "mini").
func namedRouter(mode string, capacity int) json.RawMessage {
	return json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": ` + strconv.Itoa(capacity) + `},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "routing": {"mode": "` + mode + `"}}}`)
}

type namesGateway struct {
	*e2e
	st *store.Store
}

// newNamesGateway serves the gateway over a real store's deployments, with
// capacity limits on a stopped clock.
func newNamesGateway(t *testing.T) *namesGateway {
	st, err := store.Open(filepath.Join(t.TempDir(), "names.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	frozen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newE2E(t, func(c *Config) {
		c.Deployments = manage.NewSource(st, testCatalog())
		c.Limiter = ratelimit.New(func() time.Time { return frozen })
	})
	return &namesGateway{e2e: e, st: st}
}

// send calls path with the client key in api-key, as Azure's clients send it.
func (g *namesGateway) send(t *testing.T, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, g.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("api-key", e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func (g *namesGateway) chat(t *testing.T, model string) (*http.Response, string) {
	return g.send(t, http.MethodPost, "/v1/chat/completions", `{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`)
}

func answeredBy(t *testing.T, body string) string {
	t.Helper()
	var out struct{ Model string }
	require.NoError(t, json.Unmarshal([]byte(body), &out), body)
	return out.Model
}

// A deployment created as "mr" is called as "MR", "Mr" or in the Azure
// path in any case: its mode routes the call, the log names it "mr", and
// one capacity counts every spelling.
func TestADeploymentIsCalledByItsNameInAnyCase(t *testing.T) {
	g := newNamesGateway(t)
	_, err := g.st.PutDeployment(context.Background(), "mr", namedRouter("quality", 5))
	require.NoError(t, err)

	resp, body := g.chat(t, "MR")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "large", answeredBy(t, body), "routed by mr's quality mode")
	rec := g.log.waitFor(t, 1)[0]
	assert.Equal(t, "mr", rec.Decision.Deployment)
	assert.Equal(t, router.ModeQuality, rec.Decision.Mode)

	resp, body = g.send(t, http.MethodPost, "/openai/deployments/Mr/chat/completions?api-version=2025-04-01-preview",
		`{"messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "large", answeredBy(t, body))
	assert.Equal(t, "mr", g.log.waitFor(t, 2)[1].Decision.Deployment)

	resp, body = g.send(t, http.MethodGet, "/v1/models/mR", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"id":"mr"`)

	// Every spelling draws on mr's one request bucket: each call leaves
	// one request fewer.
	var remaining []int
	for _, name := range []string{"mr", "MR", "mR"} {
		resp, body = g.chat(t, name)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", name, body)
		n, err := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-requests"))
		require.NoError(t, err)
		remaining = append(remaining, n)
	}
	assert.Equal(t, []int{remaining[0], remaining[0] - 1, remaining[0] - 2}, remaining)
}

// A database written before names compared without case may hold "mr"
// and "Mr": each is called by its own spelling, and "MR", which could be
// either, is refused with a 409 naming both rather than sent to one.
func TestACallNamingTwoOldDeploymentsIsRefused(t *testing.T) {
	g := newNamesGateway(t)
	_, err := g.st.PutDeployment(context.Background(), "mr", namedRouter("quality", 5))
	require.NoError(t, err)
	_, err = g.st.DB().Exec(`INSERT INTO deployments (name, resource, created, updated) VALUES ('Mr', ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`,
		string(namedRouter("cost", 5)))
	require.NoError(t, err)

	for name, model := range map[string]string{"mr": "large", "Mr": "nano"} {
		resp, body := g.chat(t, name)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", name, body)
		assert.Equal(t, model, answeredBy(t, body), name)
	}
	recs := g.log.waitFor(t, 2)
	assert.ElementsMatch(t, []string{"mr", "Mr"}, []string{recs[0].Decision.Deployment, recs[1].Decision.Deployment})

	resp, body := g.chat(t, "MR")
	require.Equal(t, http.StatusConflict, resp.StatusCode, body)
	assert.Equal(t, "false", resp.Header.Get("x-should-retry"), "asking again cannot help")
	e := errorOf(t, []byte(body)).Error
	require.NotNil(t, e.Code)
	assert.Equal(t, router.EConflict, *e.Code)
	assert.Contains(t, e.Message, `"Mr" and "mr"`)

	resp, body = g.send(t, http.MethodGet, "/v1/models/MR", "")
	assert.Equal(t, http.StatusConflict, resp.StatusCode, body)
}

// A call refused after its deployment was found, before any decision, is
// logged under the deployment's name too, not the spelling it came in.
func TestARefusedCallIsLoggedUnderTheDeploymentsName(t *testing.T) {
	g := newNamesGateway(t)
	_, err := g.st.PutDeployment(context.Background(), "mr", namedRouter("quality", 5))
	require.NoError(t, err)
	g.start(t, func(c *Config) {
		c.Deployments = manage.NewSource(g.st, testCatalog())
		c.Router = nil // not loaded yet: 503
	})
	resp, body := g.chat(t, "MR")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, body)
	assert.Equal(t, "mr", g.log.waitFor(t, 1)[0].Decision.Deployment)
}
