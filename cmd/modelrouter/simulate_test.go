package main

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/store"
)

func simModel(id string, in, out float64) router.Model {
	return router.Model{Format: "OpenAI", Name: id, Version: "1", ID: id, Provider: "openai", Profile: id,
		InputPerMTok: in, OutputPerMTok: out, ContextWindow: 100_000, MaxOutput: 10_000,
		Capabilities: router.Capabilities{Tools: id != "small"}}
}

// fakeRouterModel predicts that "prove" prompts need the big model and
// everything else is nearly as good on the small one. With the default
// bands (Balanced 2 %, Cost 6 %): easy prompts go to small in Balanced and
// Cost, hard ones to big everywhere; Quality always picks big.
func fakeRouterModel(t *testing.T) *routertest.Predictor {
	t.Helper()
	pred := &routertest.Predictor{PredictFn: func(prompt string) router.Prediction {
		if strings.Contains(strings.ToLower(prompt), "prove") {
			return router.Prediction{"big": {Quality: .95, OutputTokens: 800}, "mid": {Quality: .80, OutputTokens: 600}, "small": {Quality: .5, OutputTokens: 400}}
		}
		return router.Prediction{"big": {Quality: .90, OutputTokens: 200}, "mid": {Quality: .89, OutputTokens: 200}, "small": {Quality: .885, OutputTokens: 200}}
	}}
	oldCatalog, oldModel := simulateCatalog, openRouterModel
	simulateCatalog = func() (router.Catalog, error) {
		return router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1",
			Models: []router.Model{simModel("big", 2, 8), simModel("mid", 0.4, 1.6), simModel("small", 0.1, 0.4)}}}}, nil
	}
	openRouterModel = func(string, bool) (routerModel, error) {
		return routerModel{predictor: pred, version: "fake-1"}, nil
	}
	t.Cleanup(func() { simulateCatalog, openRouterModel = oldCatalog, oldModel })
	return pred
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func readSummary(t *testing.T, dir string) simulation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	var sim simulation
	require.NoError(t, json.Unmarshal(b, &sim))
	return sim
}

func shares(ms modeSummary) map[string]int {
	out := map[string]int{}
	for _, s := range ms.Shares {
		out[s.Model] = s.Prompts
	}
	return out
}

func TestSimulateSharesPerMode(t *testing.T) {
	pred := fakeRouterModel(t)
	prompts := writeFile(t, "prompts.txt", "What is 2+2?\n\nWrite a haiku about rain.\nProve that sqrt(2) is irrational.\nName three colours.\nWhat is 2+2?\n")
	out := t.TempDir()
	stdout, stderr, err := runCmd(t, "simulate", "--prompts", prompts, "--out", out)
	require.NoError(t, err)

	sim := readSummary(t, out)
	assert.Equal(t, 5, sim.Prompts, "blank lines are skipped, repeats are kept")
	assert.Equal(t, []string{"big", "mid", "small"}, sim.Models)
	assert.Equal(t, "fake-1", sim.RouterModel)
	require.Len(t, sim.Modes, 3)
	assert.Equal(t, router.ModeBalanced, sim.Modes[0].Mode)
	assert.Equal(t, map[string]int{"small": 4, "big": 1}, shares(sim.Modes[0]))
	assert.Equal(t, map[string]int{"big": 5}, shares(sim.Modes[1]))
	assert.Equal(t, map[string]int{"small": 4, "big": 1}, shares(sim.Modes[2]))
	assert.InDelta(t, .8, sim.Modes[0].Shares[0].Share, 1e-12)

	// Expected cost: tokens estimated from the text, so compare modes, not
	// exact dollars: quality mode pays the big model's price for everything.
	assert.Greater(t, sim.Modes[1].ExpectedCostUSD, 1.5*sim.Modes[0].ExpectedCostUSD, stdout)
	assert.InDelta(t, (4*.885+.95)/5, sim.Modes[0].MeanQuality, 1e-12)
	assert.InDelta(t, (4*.90+.95)/5, sim.Modes[1].MeanQuality, 1e-12)
	assert.Equal(t, int64(1), pred.Calls.Load(), "four distinct prompts are predicted in one batch, once for all modes")

	assert.Regexp(t, `balanced\s+small\s+4\s+80\.0%`, stdout)
	assert.Regexp(t, `quality\s+big\s+5\s+100\.0%`, stdout)
	assert.Contains(t, stderr, "simulate: 20/20 done", "progress counts predictions and decisions")

	f, err := os.Open(filepath.Join(out, "routing-share.png"))
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.Greater(t, cfg.Width, 400)

	csv, err := os.ReadFile(filepath.Join(out, "decisions.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	require.Len(t, lines, 6)
	assert.Equal(t, "prompt,balanced,quality,cost", lines[0])
	assert.Equal(t, "prompts.txt:4,big,big,big", lines[3])
}

func TestSimulateInputs(t *testing.T) {
	fakeRouterModel(t)
	dataset := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dataset, "items.jsonl"), []byte(
		`{"id":"a","prompt":"Prove Fermat's little theorem.","results":{}}`+"\n"+
			`{"id":"b","prompt":"ignored","messages":[{"role":"user","content":"Prove it"},{"role":"assistant","content":"ok"},{"role":"user","content":"shorter please"}]}`+"\n"), 0o644))
	tests := []struct {
		name string
		path string
		args []string
		want map[string]int // balanced shares
	}{
		{"jsonl prompts and messages", writeFile(t, "p.jsonl",
			`{"prompt":"Prove there are infinitely many primes."}`+"\n"+`{"messages":[{"role":"user","content":"hello there"}]}`+"\n"),
			nil, map[string]int{"big": 1, "small": 1}},
		{"dataset folder reads messages when present", dataset, nil, map[string]int{"big": 2}},
		{"limit", writeFile(t, "l.txt", "a\nb\nc\n"), []string{"--limit", "2"}, map[string]int{"small": 2}},
		{"subset", writeFile(t, "s.txt", "a\nprove b\n"), []string{"--models", "mid,small"}, map[string]int{"small": 1, "mid": 1}},
		{"tools exclude small", writeFile(t, "t.jsonl",
			`{"messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"f"}}]}`+"\n"),
			nil, map[string]int{"mid": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			_, _, err := runCmd(t, append([]string{"simulate", "--prompts", tt.path, "--modes", "balanced", "--out", out}, tt.args...)...)
			require.NoError(t, err)
			sim := readSummary(t, out)
			require.Len(t, sim.Modes, 1)
			assert.Equal(t, tt.want, shares(sim.Modes[0]))
		})
	}
}

func TestSimulateBadInput(t *testing.T) {
	fakeRouterModel(t)
	ok := writeFile(t, "ok.txt", "hello\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no prompts flag", nil, "--prompts is required"},
		{"missing file", []string{"--prompts", filepath.Join(t.TempDir(), "nope.txt")}, "no such file"},
		{"empty file", []string{"--prompts", writeFile(t, "e.txt", "\n\n")}, "holds no prompts"},
		{"bad jsonl", []string{"--prompts", writeFile(t, "b.jsonl", "{\"prompt\": 3}\n")}, "b.jsonl:1"},
		{"jsonl without prompt", []string{"--prompts", writeFile(t, "c.jsonl", "{\"text\": \"hi\"}\n")}, `"prompt" string or a "messages" array`},
		{"bad messages", []string{"--prompts", writeFile(t, "d.jsonl", "{\"messages\": []}\n")}, "at least one message"},
		{"dataset folder without items", []string{"--prompts", t.TempDir()}, "items.jsonl"},
		{"unknown mode", []string{"--prompts", ok, "--modes", "fast"}, "unknown routing mode"},
		{"unknown model", []string{"--prompts", ok, "--models", "gpt-9"}, `"gpt-9" is not a model`},
		{"unknown version", []string{"--prompts", ok, "--router-version", "v9"}, "unknown router version"},
		{"negative limit", []string{"--prompts", ok, "--limit", "-1"}, "--limit"},
		{"stored deployment without --db", []string{"--prompts", ok, "--deployment", "prod"}, "--deployment prod is read from a serve database: pass --db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, append([]string{"simulate"}, tt.args...)...)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestSimulateReportsUnroutablePrompts(t *testing.T) {
	fakeRouterModel(t)
	// Only small is in the subset and it takes no tools.
	prompts := writeFile(t, "tools.jsonl", `{"messages":[{"role":"user","content":"hi"}]}`+"\n"+
		`{"prompt":"call it","tools":[{"type":"function","function":{"name":"f"}}]}`+"\n")
	out := t.TempDir()
	stdout, _, err := runCmd(t, "simulate", "--prompts", prompts, "--models", "small", "--modes", "cost", "--out", out)
	require.NoError(t, err)
	assert.Regexp(t, `cost\s+small\s+1\s+50\.0%`, stdout)
	assert.Regexp(t, `cost\s+\(no eligible model\)\s+1\s+50\.0%`, stdout)
	assert.Contains(t, stdout, "tools.jsonl:2: no model in the deployment can serve this request")
	sim := readSummary(t, out)
	assert.Equal(t, 1, sim.Modes[0].Routed)
	assert.Equal(t, 1, sim.Modes[0].Unroutable)
}

// TestSimulateStoredDeployment: with --db, --deployment is the stored one
// (its mode and subset), as the gateway would route it; flags given on the
// command line still win; without --db, or for model-router when nothing is
// stored, the built-in default (Balanced, full set). Another name without
// --db is refused (TestSimulateBadInput).
func TestSimulateStoredDeployment(t *testing.T) {
	fakeRouterModel(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	st, err := store.Open(db)
	require.NoError(t, err)
	_, err = st.PutDeployment(context.Background(), "cheap", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
		"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
		"routing": {"mode": "cost", "models": [{"format": "OpenAI", "name": "mid", "version": "1"}, {"format": "OpenAI", "name": "small", "version": "1"}]}}}`))
	require.NoError(t, err)
	require.NoError(t, st.Close())
	prompts := writeFile(t, "prompts.txt", "What is 2+2?\nProve that sqrt(2) is irrational.\n")

	modesOf := func(sim simulation) []router.Mode {
		var out []router.Mode
		for _, m := range sim.Modes {
			out = append(out, m.Mode)
		}
		return out
	}
	tests := []struct {
		name       string
		args       []string
		wantModes  []router.Mode
		wantModels []string
		wantErr    string
	}{
		{name: "stored deployment", args: []string{"--db", db, "--deployment", "cheap"},
			wantModes: []router.Mode{router.ModeCost}, wantModels: []string{"mid", "small"}},
		{name: "flags beat the stored deployment", args: []string{"--db", db, "--deployment", "cheap", "--modes", "quality,cost", "--models", "small"},
			wantModes: []router.Mode{router.ModeQuality, router.ModeCost}, wantModels: []string{"small"}},
		{name: "built-in default from an empty database", args: []string{"--db", db},
			wantModes: []router.Mode{router.ModeBalanced}, wantModels: []string{"big", "mid", "small"}},
		{name: "no database: every mode over the full set", args: nil,
			wantModes: []router.Mode{router.ModeBalanced, router.ModeQuality, router.ModeCost}, wantModels: []string{"big", "mid", "small"}},
		{name: "unknown deployment", args: []string{"--db", db, "--deployment", "nope"}, wantErr: `deployment "nope" not found`},
		{name: "missing database", args: []string{"--db", filepath.Join(t.TempDir(), "none.db")}, wantErr: "--db:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			_, _, err := runCmd(t, append([]string{"simulate", "--prompts", prompts, "--out", out}, tt.args...)...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			sim := readSummary(t, out)
			assert.Equal(t, tt.wantModes, modesOf(sim))
			assert.ElementsMatch(t, tt.wantModels, sim.Models)
			for _, m := range sim.Modes {
				for model := range shares(m) {
					assert.Contains(t, tt.wantModels, model, "mode %s routes only within the subset", m.Mode)
				}
			}
		})
	}
}
