package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// `modelrouter simulate` on a 120-column terminal: a deployment name of the
// 64 characters a name may have, every catalog model a candidate on its own
// profile, in every mode, and a prompt no model can serve, whose reason
// names all of them. No line wraps, and the deployment, every model's
// share and the reason can be read whole.
func TestSimulateFitsA120ColumnTerminalWithTheLongestNames(t *testing.T) {
	ownProfilesRouterModel(t)
	deployment := "support-assistant-eu-west-production-with-fallback-2026-q3-alpha"
	require.Len(t, deployment, 64)
	var prompts strings.Builder
	for i := range 40 {
		fmt.Fprintf(&prompts, "{\"prompt\": %q}\n", fmt.Sprintf("Question %d: %s", i, strings.Repeat("explain the clause ", 50*i)))
	}
	prompts.WriteString(`{"prompt": "Write a novel.", "max_tokens": 10000000}` + "\n")
	file := writeFile(t, "prompts.jsonl", prompts.String())

	// A deployment of that name is read from a serve database: without
	// --db only the built-in one exists.
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	st, err := store.Open(db)
	require.NoError(t, err)
	_, err = st.PutDeployment(context.Background(), deployment, json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
		"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`))
	require.NoError(t, err)
	require.NoError(t, st.Close())

	out, _, err := runCmd(t, "simulate", "--prompts", file, "--db", db, "--deployment", deployment, "--modes", "balanced,quality,cost")
	require.NoError(t, err)
	assertFits120(t, out)
	assertField(t, out, deployment)
	assertWrapped(t, out, "no model in the deployment can serve this request: ")
	assertWrapped(t, out, "Llama-4-Maverick-17B-128E-Instruct-FP8 (max output 16384 tokens < requested 10000000)")
	assert.Regexp(t, `(?m)^ +cost +\S+ +\d+ +\d+\.\d%`, out)
}

// The figures of a large run: ten million prompts, a hundred thousand
// dollars a mode, every catalog model chosen. Each fits its column whole.
func TestSimulateTableFitsA120ColumnTerminalWithLargeFigures(t *testing.T) {
	sim := &simulation{Deployment: strings.Repeat("d", 64), RouterVersion: "2025-11-18", RouterModel: strings.Repeat("f", 64), Prompts: 10_000_000}
	for _, mode := range []router.Mode{router.ModeBalanced, router.ModeQuality, router.ModeCost} {
		ms := modeSummary{Mode: mode, Routed: 9_999_999, Unroutable: 1, ExpectedCostUSD: 123_456.789012, MeanQuality: .912,
			FirstError: "prompts.jsonl:9999999: no model in the deployment can serve this request: " + strings.Repeat("; Llama-4-Maverick-17B-128E-Instruct-FP8 (max output 16384 tokens < requested 10000000)", 22)[2:]}
		ms.Shares = append(ms.Shares, modelShare{Model: "Llama-4-Maverick-17B-128E-Instruct-FP8", Prompts: 9_999_999, Share: .9999999, ExpectedCostUSD: 123_456.789012})
		sim.Modes = append(sim.Modes, ms)
	}
	var out bytes.Buffer
	require.NoError(t, writeSimulationTable(&out, sim))
	assertFits120(t, out.String())
	for _, cell := range []string{sim.Deployment, sim.RouterModel, "9999999", "100.0%", "123456.789012",
		fmt.Sprintf("%.4f", 1000*123_456.789012/9_999_999), "0.912"} {
		assertField(t, out.String(), cell)
	}
}
