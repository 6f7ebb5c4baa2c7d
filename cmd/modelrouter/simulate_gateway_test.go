package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A request with a PDF part and n = 2: the gateway leaves out the model
// that reads no files and Claude (reached through a translation that has
// no n), so simulate, which claims to route as the gateway does, must pick
// the model /v1/route picks at the expected cost it shows.
func TestSimulateDecidesAFileRequestAsTheGatewayDoes(t *testing.T) {
	pred := fakeRouterModel(t)
	withFiles := func(m router.Model) router.Model { m.Capabilities.Files = true; return m }
	claude := withFiles(simModel("claude", 0.05, 0.2))
	claude.Provider, claude.Format = "anthropic", "Anthropic"
	catalog := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		withFiles(simModel("big", 2, 8)), withFiles(simModel("mid", 0.4, 1.6)), simModel("small", 0.01, 0.04), claude}}}}
	simulateCatalog = func() (router.Catalog, error) { return catalog, nil }
	providers := upstream.FromEnviron([]string{"OPENAI_API_KEY=sk-test", "ANTHROPIC_API_KEY=sk-ant-test"})
	oldProviders := simulateProviders
	simulateProviders = func() (upstream.Providers, error) { return providers, nil }
	t.Cleanup(func() { simulateProviders = oldProviders })

	pdf := "data:application/pdf;base64,JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvUGFnZSA+PgplbmRvYmoK"
	line := `{"messages":[{"role":"user","content":[{"type":"text","text":"Summarise this report."},` +
		`{"type":"file","file":{"filename":"r.pdf","file_data":"` + pdf + `"}}]}],"n":2}`
	prompts := filepath.Join(t.TempDir(), "prompts.jsonl")
	require.NoError(t, os.WriteFile(prompts, []byte(line+"\n"), 0o644))
	out := t.TempDir()
	_, _, err := runCmd(t, "simulate", "--prompts", prompts, "--modes", "balanced", "--out", out)
	require.NoError(t, err)
	sim := readSummary(t, out)
	require.Len(t, sim.Modes, 1)
	require.Len(t, sim.Modes[0].Shares, 1, "one prompt, one model")

	rt, err := router.New(router.Config{Catalog: catalog, Predictor: pred})
	require.NoError(t, err)
	gw := httptest.NewServer(server.New(server.Config{Router: rt, Supports: providers.Supports, DefaultOutput: providers.DefaultOutput,
		Drops: providers.Drops, DerivedEffort: providers.DerivedEffort, EstimateTokens: models.EstimateJoinedTokens}).Handler())
	t.Cleanup(gw.Close)
	body := strings.Replace(line, `{"messages"`, `{"model":"model-router","messages"`, 1)
	resp, err := http.Post(gw.URL+"/v1/route", "application/json", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rr openai.RouteResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rr))

	require.Equal(t, "mid", rr.ChosenModel, "the gateway leaves out small (no files) and claude (n > 1)")
	require.Equal(t, rr.ChosenModel, sim.Modes[0].Shares[0].Model)
	for _, c := range rr.Candidates {
		if c.Model == rr.ChosenModel {
			require.InDelta(t, c.ExpectedCostUSD, sim.Modes[0].ExpectedCostUSD, 1e-12, "the input estimate counts the PDF page, as the gateway's does")
		}
	}
}
