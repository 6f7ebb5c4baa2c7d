package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const gpt5mini = "gpt-5-mini-2025-08-07"

// writeRatedAnswers writes what export-feedback would: rated answers keyed
// by catalog model ID. gpt-5-mini answers poems well and sums badly.
func writeRatedAnswers(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "traffic")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte(`{"models": {"`+gpt5mini+`": {"input_usd_per_mtok": 0.25, "output_usd_per_mtok": 2}}}`), 0o644))
	var b strings.Builder
	for i := range n {
		text, score := fmt.Sprintf("Write a four-line poem about the sea, version %d.", i), 1.0
		if i%2 == 1 {
			text, score = fmt.Sprintf("Multiply %d by %d and show the working.", 1234+i, 5678+i), 0
		}
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic/%d", i), "source": "traffic", "task": "model-router",
			"prompt": text, "input_tokens": 15, "results": map[string]any{gpt5mini: map[string]any{"score": score, "output_tokens": 60}}})
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(b.String()), 0o644))
	return dir
}

// TestAddProfileThenTheGatewayUsesIt: rated answers of a catalog model
// become its own profile, which route then predicts it with instead of
// its stand-in.
func TestAddProfileThenTheGatewayUsesIt(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	out := filepath.Join(t.TempDir(), "router-model")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini, "--out", out}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "added profile "+gpt5mini+": 120 labelled answers")
	assert.Contains(t, stdout.String(), "no existing profile is labelled in the same data")
	assert.Contains(t, stdout.String(), "serve it with: modelrouter serve --router-model "+out)

	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"models", "--router-model", out}, &stdout, &stderr))
	assert.Regexp(t, `(?m)^gpt-5-mini\S* +`+regexp.QuoteMeta(gpt5mini)+` +own profile$`, stdout.String())

	classifiertest.RequireRuntime(t)
	profileOf := func(args ...string) (string, float64) {
		var out, errOut bytes.Buffer
		require.NoError(t, run(context.Background(), append([]string{"route", "--json", "--mode", "quality"}, args...), &out, &errOut), errOut.String())
		var d router.Decision
		require.NoError(t, json.Unmarshal(out.Bytes(), &d))
		for _, c := range d.Candidates {
			if c.Model == gpt5mini {
				return c.Profile, c.Quality
			}
		}
		t.Fatalf("no candidate %s in %s", gpt5mini, out.String())
		return "", 0
	}
	standIn, _ := profileOf("Write a four-line poem about the moon.")
	assert.NotEqual(t, gpt5mini, standIn, "the shipped model predicts it with a stand-in")
	own, poemQ := profileOf("--router-model", out, "Write a four-line poem about the moon.")
	assert.Equal(t, gpt5mini, own)
	_, sumQ := profileOf("--router-model", out, "Multiply 4321 by 8765 and show the working.")
	assert.Greater(t, poemQ, sumQ+0.3, "its own labels: good at poems, bad at sums")
}

func TestAddProfileNeedsItsFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--model", "m", "--out", "o"},
		{"--data", "d", "--out", "o"},
		{"--data", "d", "--model", "m"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"add-profile"}, args...), &stdout, &stderr)
		assert.ErrorContains(t, err, "--data, --model and --out are required", args)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"add-profile", "--data", "d", "--model", "m", "--out", "o", "--val", "1"}, &stdout, &stderr)
	assert.ErrorContains(t, err, "--val 1")
	err = run(context.Background(), []string{"add-profile", "--data", "d", "--model", "m", "--model", "n", "--profile", "p", "--out", "o"}, &stdout, &stderr)
	assert.ErrorContains(t, err, "1 --profile for 2 --model")
}

// TestAddProfileForSeveralModels: one run adds each --model in turn, the
// second anchored on the first's new profile, as two runs would.
func TestAddProfileForSeveralModels(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	const gpt5 = "gpt-5-2025-08-07"
	dir := writeRatedAnswers(t, 120)
	// gpt-5 rated on the same prompts: good at sums, fair at poems.
	b, err := os.ReadFile(filepath.Join(dir, "items.jsonl"))
	require.NoError(t, err)
	var items strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var it map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &it))
		it["results"].(map[string]any)[gpt5] = map[string]any{"score": float64(i % 2), "output_tokens": 90}
		out, err := json.Marshal(it)
		require.NoError(t, err)
		items.Write(out)
		items.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(items.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"`+gpt5mini+`": {"input_usd_per_mtok": 0.25, "output_usd_per_mtok": 2},
		"`+gpt5+`": {"input_usd_per_mtok": 1.25, "output_usd_per_mtok": 10}}}`), 0o644))

	out := filepath.Join(t.TempDir(), "router-model")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", dir, "--model", gpt5mini, "--model", gpt5, "--out", out}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "added profile "+gpt5mini+": 120 labelled answers")
	assert.Contains(t, stdout.String(), "added profile "+gpt5+": 120 labelled answers")
	assert.Contains(t, stdout.String(), "anchored on the labels in the same data of "+gpt5mini+" (120 answers)", "the second on the first's new profile")
	assert.Equal(t, 1, strings.Count(stdout.String(), "serve it with"))

	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	base, err := models.Artifacts()
	require.NoError(t, err)
	baseCard, err := models.ParseCard(base.RouterJSON)
	require.NoError(t, err)
	assert.Equal(t, append(append([]string{}, baseCard.Profiles...), gpt5mini, gpt5), card.Profiles)
	require.Len(t, card.AddedProfiles, 2)
	assert.Equal(t, baseCard.ContentHash, card.AddedProfiles[0].BaseContentHash)
	assert.NotEqual(t, baseCard.ContentHash, card.AddedProfiles[1].BaseContentHash, "the second extends the first")
}

// TestServeUsesAnAddedProfile: serve --router-model with the extended
// model answers /v1/route with the catalog model predicted by its own
// profile.
func TestServeUsesAnAddedProfile(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	out := filepath.Join(t.TempDir(), "router-model")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini, "--out", out}, &stdout, &stderr), stderr.String())

	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.predictor, o.routerModel = nil, out
	})
	profiles := routeProfiles(t, base)
	assert.Equal(t, gpt5mini, profiles[gpt5mini], "its own profile")
	assert.Equal(t, "o1-mini-2024-09-12", profiles["gpt-5-2025-08-07"], "the others keep their stand-ins")
}

// add-profile reads data through the reader train and eval use: a score on
// a judge's 1-10 scale is refused with the file, line and rule before any
// fitting, and no router model is written.
func TestAddProfileRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 40)
	items := filepath.Join(data, "items.jsonl")
	b, err := os.ReadFile(items)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(items, []byte(strings.Replace(string(b), `"score":1`, `"score":9`, 1)), 0o644))
	out := filepath.Join(t.TempDir(), "router-model")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"add-profile", "--data", data, "--model", gpt5mini, "--out", out}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "items.jsonl line 1")
	assert.Contains(t, err.Error(), "score 9 is outside [0,1]")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "a router model was written from out-of-range scores")
}

// A model (or profile name) given twice is refused before anything is
// written to --out, and an error from the fit carries the command's name
// once.
func TestAddProfileRefusesAModelNamedTwiceBeforeWriting(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 40)
	out := filepath.Join(t.TempDir(), "router-model")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"add-profile", "--data", data, "--model", gpt5mini, "--model", gpt5mini, "--out", out}, &stdout, &stderr)
	require.ErrorContains(t, err, "--model "+gpt5mini+" is named twice")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "the first copy was written before the second was refused")

	err = run(context.Background(), []string{"add-profile", "--data", data, "--model", gpt5mini, "--model", "other", "--profile", "p", "--profile", "p", "--out", out}, &stdout, &stderr)
	require.ErrorContains(t, err, "--profile p is named twice")

	err = run(context.Background(), []string{"add-profile", "--data", data, "--model", "gpt-4o-2024-05-13", "--out", out}, &stdout, &stderr)
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "add-profile:"), err.Error())
}
