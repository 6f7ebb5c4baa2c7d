package server

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// leftOutClaudeWhy is the reason the built-in model-router leaves Claude
// out of its whole version when Claude has no deployment of its own.
const leftOutClaudeWhy = `claude must be deployed before model router can route to it: first PUT a deployment with properties.model {"format": "Anthropic", "name": "claude", "version": "1"} and sku.name "GlobalStandard"`

// leftOutClaudeGateway is the e2e gateway over testCatalog in which Claude
// needs a deployment of its own, so its built-in model-router, a
// whole-version deployment, leaves Claude out until one is stored in st,
// the deployment store it reads (a test puts deployments there). It
// predicts pred (testPrediction when nil); opts change Claude's catalog
// entry.
func leftOutClaudeGateway(t *testing.T, pred router.Prediction, opts ...func(*router.Model)) (*e2e, *store.Store) {
	t.Helper()
	cat := testCatalog()
	for i, m := range cat.Versions[0].Models {
		if m.ID == "claude" {
			cat.Versions[0].Models[i].RequiresDeployment = true
			for _, o := range opts {
				o(&cat.Versions[0].Models[i])
			}
		}
	}
	if pred == nil {
		pred = testPrediction()
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return newE2E(t, func(c *Config) {
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
		c.Deployments = manage.NewSource(st, cat)
	}), st
}

type leftOutErrorBody struct {
	Error struct {
		Message    string             `json:"message"`
		Code       string             `json:"code"`
		Param      string             `json:"param"`
		Candidates []router.Candidate `json:"candidates"`
	} `json:"error"`
}

// A call every model the deployment routes to is dropped for, for what
// their APIs cannot carry (an Anthropic server tool, which no OpenAI
// model's translation carries), is refused no_eligible with the model
// the deployment leaves out for want of its own deployment among
// error.candidates and the logged decision's, with its reason, as every
// other refusal and the dry run show it.
func TestARefusalForWhatTheAPIsCannotCarryShowsTheLeftOutModel(t *testing.T) {
	e, _ := leftOutClaudeGateway(t, nil)
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/messages",
		`{"model":"model-router","max_tokens":100,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"News?"}]}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", raw)
	var body leftOutErrorBody
	require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
	assert.Equal(t, router.ENoEligible, body.Error.Code, "%s", raw)
	assert.Contains(t, body.Error.Message, "claude (excluded: "+leftOutClaudeWhy+")")
	claude := router.Candidate{Model: "claude", Reason: "excluded: " + leftOutClaudeWhy}
	assert.Contains(t, body.Error.Candidates, claude, "%s", raw)
	for _, id := range []string{"large", "mini", "nano"} {
		assert.True(t, slices.ContainsFunc(body.Error.Candidates, func(c router.Candidate) bool { return c.Model == id && !c.Eligible }), "%s: %s", id, raw)
	}
	recs := e.log.all()
	require.Len(t, recs, 1)
	claude.Profile, claude.LeftOut = "claude", true // which the decision log writes short
	assert.Contains(t, recs[0].Decision.Candidates, claude, "the log shows it too")
	assert.Empty(t, e.anthropic.Requests(), "never tried")
	assert.Empty(t, e.openai.Requests(), "never tried")
}

// A call naming a model the deployments leave out for want of its own
// deployment in `model`, by its id or its catalog name, is refused as a
// name nothing serves is (404, the same code), but says why it is left
// out and what to deploy.
func TestNamingALeftOutModelInModelSaysWhyItIsLeftOut(t *testing.T) {
	e, _ := leftOutClaudeGateway(t, nil, func(m *router.Model) { m.Name = "claude-latest" })
	_, _, plainRaw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}`)
	var plain leftOutErrorBody
	require.NoError(t, json.Unmarshal(plainRaw, &plain), "%s", plainRaw)

	for _, name := range []string{"claude", "claude-latest"} {
		status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"`+name+`","messages":[{"role":"user","content":"hi"}]}`)
		require.Equal(t, http.StatusNotFound, status, "%s", raw)
		var body leftOutErrorBody
		require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
		assert.Equal(t, plain.Error.Code, body.Error.Code, "%s", raw)
		assert.Equal(t, plain.Error.Param, body.Error.Param, "%s", raw)
		assert.Contains(t, body.Error.Message, `model "`+name+`" is left out of deployment "model-router": claude must be deployed before model router can route to it: first PUT a deployment`, "%s", raw)
	}
	assert.Empty(t, e.anthropic.Requests(), "never tried")
}
