package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

const reloadAdminKey = "admin-reload-key"

// servedCopy writes the embedded router model into a folder for serve
// --router-model, as `make train --out` or a deploy step would.
func servedCopy(t *testing.T) string {
	t.Helper()
	files, err := models.Artifacts()
	if err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	dir := filepath.Join(t.TempDir(), "router-model")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, b := range map[string][]byte{models.RouterONNXFile: files.RouterONNX, models.TokenizerJSONFile: files.TokenizerJSON, models.RouterJSONFile: files.RouterJSON} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

func adminCall(t *testing.T, method, url, key string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b.Bytes()
}

func routerModelInfo(t *testing.T, base string) manage.RouterModelInfo {
	t.Helper()
	status, body := adminCall(t, http.MethodGet, base+"/router-model", reloadAdminKey)
	require.Equal(t, http.StatusOK, status, string(body))
	var info manage.RouterModelInfo
	require.NoError(t, json.Unmarshal(body, &info))
	return info
}

// routeProfiles asks the gateway's /v1/route which profile predicts each
// candidate.
func routeProfiles(t *testing.T, base string) map[string]string {
	t.Helper()
	profiles := map[string]string{}
	for id, c := range routeCandidates(t, base) {
		profiles[id] = c.Profile
	}
	return profiles
}

// routeCandidates is /v1/route's candidates by model.
func routeCandidates(t *testing.T, base string) map[string]openai.RouteCandidate {
	t.Helper()
	resp, err := http.Post(base+"/v1/route", "application/json",
		strings.NewReader(`{"model": "model-router", "messages": [{"role": "user", "content": "Write a four-line poem about rain."}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rr openai.RouteResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rr))
	cands := map[string]openai.RouteCandidate{}
	for _, c := range rr.Candidates {
		cands[c.Model] = c
	}
	return cands
}

// TestReloadPicksUpAnAddedProfile is the feedback loop without a restart:
// add-profile writes into the folder serve runs from, a reload switches
// decisions to it, and a broken folder leaves the served model alone.
func TestReloadPicksUpAnAddedProfile(t *testing.T) {
	dir, db := servedCopy(t), filepath.Join(t.TempDir(), "m.db")
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.predictor, o.routerModel, o.adminKey = nil, dir, reloadAdminKey
	})
	before := routerModelInfo(t, base)
	assert.Empty(t, before.OwnProfiles)
	assert.Equal(t, dir, before.Dir)
	assert.NotEqual(t, gpt5mini, routeProfiles(t, base)[gpt5mini], "a stand-in before")

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())
	assert.NotEqual(t, gpt5mini, routeProfiles(t, base)[gpt5mini], "nothing changes before the reload")

	status, body := adminCall(t, http.MethodPost, base+"/router-model/reload", "")
	assert.Equal(t, http.StatusUnauthorized, status, "admin only: %s", body)
	status, body = adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
	require.Equal(t, http.StatusOK, status, string(body))
	var after manage.RouterModelInfo
	require.NoError(t, json.Unmarshal(body, &after))
	assert.Equal(t, before.Version, after.Replaced)
	assert.NotEqual(t, before.Version, after.Version)
	assert.Equal(t, []string{gpt5mini}, after.OwnProfiles)
	assert.Equal(t, before.Profiles+1, after.Profiles)
	assert.Equal(t, gpt5mini, routeProfiles(t, base)[gpt5mini], "its own profile after the reload")
	assert.Contains(t, scrapeMetrics(t, base), `modelrouter_router_model_info{version="`+after.Version+`"} 1`)

	// A half-written or tampered folder: the reload is refused, the model stays.
	tok := filepath.Join(dir, models.TokenizerJSONFile)
	b, err := os.ReadFile(tok)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(tok, append(b[:len(b)-2], ' ', '}'), 0o644))
	status, body = adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, string(body), "router_model_invalid")
	assert.Contains(t, string(body), after.Version+" keeps serving")
	assert.Equal(t, after.Version, routerModelInfo(t, base).Version)
	assert.Equal(t, gpt5mini, routeProfiles(t, base)[gpt5mini])

	// The decision log says which model decided each request.
	stop()
	require.NoError(t, <-done)
	st, err := store.Open(db)
	require.NoError(t, err)
	defer st.Close()
	rows, err := st.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	var names []string
	for _, r := range rows {
		names = append(names, r.RouterModel)
	}
	assert.Equal(t, []string{before.Version, before.Version, after.Version, after.Version}, names)
}

// TestSIGHUPReloadsTheRouterModel: the signal daemons reload on.
func TestSIGHUPReloadsTheRouterModel(t *testing.T) {
	dir := servedCopy(t)
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.predictor, o.routerModel, o.adminKey = nil, dir, reloadAdminKey
	})
	before := routerModelInfo(t, base)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return routerModelInfo(t, base).Version != before.Version }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, gpt5mini, routeProfiles(t, base)[gpt5mini])
}

func TestTheEmbeddedModelIsNotReloadable(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.predictor, o.adminKey = nil, reloadAdminKey
	})
	status, body := adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, string(body), "--router-model DIR")
	assert.Empty(t, routerModelInfo(t, base).Dir)
}

func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	status, body := adminCall(t, http.MethodGet, base+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	return string(body)
}

// TestRouterModelSaysWhereItRuns: with --cuda, GET /router-model tells the
// operator whether the model found CUDA or fell back to the CPU; without
// it, the model runs on the CPU.
func TestRouterModelSaysWhereItRuns(t *testing.T) {
	dir := servedCopy(t)
	for _, cuda := range []bool{false, true} {
		base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
			o.predictor, o.routerModel, o.adminKey, o.cuda = nil, dir, reloadAdminKey, cuda
		})
		device := routerModelInfo(t, base).Device
		stop()
		require.NoError(t, <-done)
		if !cuda {
			assert.Equal(t, "cpu", device)
			continue
		}
		// The npm build of ONNX Runtime has no CUDA provider, so this is
		// "cpu" here; a machine with the provider installed reports "cuda".
		assert.Contains(t, []string{"cpu", "cuda"}, device, "--cuda")
	}
}

// TestAReloadClosesTheModelItReplaced: the replaced model's ONNX Runtime
// session is closed by the reload itself, once its running predictions
// end, so however often the folder is reloaded one session stays open, and
// serve's end closes that one.
func TestAReloadClosesTheModelItReplaced(t *testing.T) {
	dir := servedCopy(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sm, err := loadServedModel(serveOptions{routerModel: dir, logger: log}, cat, log)
	require.NoError(t, err)
	routed, pred, bands, name := sm.routing()
	rt, err := router.New(router.Config{Catalog: routed, Predictor: pred, Bands: bands, RouterModel: name})
	require.NoError(t, err)
	sm.attach(metrics.New(), rt)

	ctx, prompt := context.Background(), []string{"Write a four-line poem about rain."}
	var replaced []*classifier.Classifier
	for range 3 {
		replaced = append(replaced, sm.clf)
		_, err := sm.Reload(ctx)
		require.NoError(t, err)
		_, err = rt.Decide(ctx, router.Deployment{Name: "d"}, router.Request{Prompt: prompt[0]})
		require.NoError(t, err, "decided by the new model")
	}
	for i, c := range replaced {
		_, err := c.Predict(ctx, prompt)
		assert.ErrorContains(t, err, "closed", "model replaced by reload %d", i+1)
	}
	served := sm.clf
	_, err = served.Predict(ctx, prompt)
	require.NoError(t, err)
	require.NoError(t, sm.close())
	_, err = served.Predict(ctx, prompt)
	assert.ErrorContains(t, err, "closed", "the served model at the end")
}

// TestCallsDuringReloadsAreAllAnswered: the replaced model is closed at
// once, so decisions that took it just before a switch are made again by
// the new one; none fails.
func TestCallsDuringReloadsAreAllAnswered(t *testing.T) {
	dir := servedCopy(t)
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.predictor, o.routerModel, o.adminKey = nil, dir, reloadAdminKey
	})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calls atomic.Int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post(base+"/v1/route", "application/json",
					strings.NewReader(`{"model": "model-router", "messages": [{"role": "user", "content": "Write a four-line poem about rain."}]}`))
				if !assert.NoError(t, err) {
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !assert.Equal(t, http.StatusOK, resp.StatusCode, string(b)) {
					return
				}
				calls.Add(1)
			}
		}()
	}
	for range 5 {
		status, body := adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
		require.Equal(t, http.StatusOK, status, string(body))
	}
	close(stop)
	wg.Wait()
	assert.Positive(t, calls.Load())
}

// TestAReloadThatWouldLeaveModelsUnpredictedIsRefused: a router model with
// no profile for a catalog model the served one predicts (trained on other
// data, or a card whose profile names were edited, which the content hash
// does not cover) would leave that model out of every decision; the reload
// is refused naming it, and the served model stays.
func TestAReloadThatWouldLeaveModelsUnpredictedIsRefused(t *testing.T) {
	dir := servedCopy(t)
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.predictor, o.routerModel, o.adminKey = nil, dir, reloadAdminKey
	})
	const gpt41 = "gpt-4.1-2025-04-14"
	standIn := routeProfiles(t, base)[gpt41]
	require.NotEmpty(t, standIn)

	renameProfileInCard(t, dir, standIn)

	status, body := adminCall(t, http.MethodPost, base+"/router-model/reload", reloadAdminKey)
	assert.Equal(t, http.StatusConflict, status, string(body))
	var e struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	assert.Equal(t, "router_model_invalid", e.Error.Code)
	assert.Contains(t, e.Error.Message, gpt41+" ("+standIn+")")
	assert.Contains(t, e.Error.Message, "keeps serving")
	c := routeCandidates(t, base)[gpt41]
	assert.True(t, c.Eligible, "the served model still predicts it: %s", c.Reason)
	assert.Equal(t, standIn, c.Profile)
}

// TestServeStartedOnAModelMissingProfilesSaysWhichModelsItLeavesOut: a
// router model that cannot predict some catalog models is served (there
// is no other to keep), but the start says which models every decision
// leaves out, as a reload to such a model is refused naming them.
func TestServeStartedOnAModelMissingProfilesSaysWhichModelsItLeavesOut(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))

	dir := servedCopy(t)
	sm, err := loadServedModel(serveOptions{routerModel: dir, logger: log}, cat, log)
	require.NoError(t, err)
	require.NoError(t, sm.close())
	assert.NotContains(t, out.String(), "leaves them out", "the shipped model predicts every catalog model")

	const gpt41 = "gpt-4.1-2025-04-14"
	routed, _, _, _ := sm.routing()
	standIn := ""
	for _, v := range routed.Versions {
		for _, m := range v.Models {
			if m.ID == gpt41 {
				standIn = m.Profile
			}
		}
	}
	require.NotEmpty(t, standIn)
	renameProfileInCard(t, dir, standIn)

	sm, err = loadServedModel(serveOptions{routerModel: dir, logger: log}, cat, log)
	require.NoError(t, err, "served all the same")
	require.NoError(t, sm.close())
	assert.Contains(t, out.String(), "leaves them out")
	assert.Contains(t, out.String(), gpt41+" ("+standIn+")")
}

// renameProfileInCard renames profile in the router.json of the router
// model in dir, which the content hash does not cover: the model then has
// no profile of that name.
func renameProfileInCard(t *testing.T, dir, profile string) {
	t.Helper()
	path := filepath.Join(dir, models.RouterJSONFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var card map[string]any
	require.NoError(t, json.Unmarshal(b, &card))
	profiles := card["profiles"].([]any)
	i := slices.Index(profiles, any(profile))
	require.GreaterOrEqual(t, i, 0)
	profiles[i] = profile + "-renamed"
	b, err = json.Marshal(card)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}
