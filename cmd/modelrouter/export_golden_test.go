package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

var updateExportGolden = flag.Bool("update-export-golden", false, "rewrite testdata/export-feedback-mixed-log from this build's export")

// mixedRatedLog writes a log whose rated answers exercise everything the
// export's order and grouping depend on: prompts asked again long after
// their first answer and under two deployments, rows in one millisecond
// and rows at one instant (told apart by the request id, which is random,
// so id order is not time order), estimated usage, answers of a model
// outside the catalog, rows without text, blank text and no text to read,
// and unrated and unanswered rows. Scores are sevenths, whose sums depend
// on the order they are added in.
func mixedRatedLog(t *testing.T) string {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	latest := cat.Versions[len(cat.Versions)-1].Models
	answering := []string{latest[0].ID, latest[1].ID, latest[len(latest)-1].ID, "retired-model-2024-01-01"}
	prompts := []string{
		"Prove that there are infinitely many primes.", "Write a poem about the sea.", "What is 17 * 23?",
		"Summarise the French revolution in three sentences.", "Translate 'good morning' into Japanese.",
		"Explain TCP slow start.", "Name three prime numbers.", "Refactor this loop into a map call.",
		"Is a tomato a fruit?", "Why is the sky blue?", "  \n\t ", // blank: no text to read
	}
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var rated []string
	for i := range 400 {
		switch {
		case i%9 == 4: // the same instant as the row before
		case i%7 == 3:
			at = at.Add(300 * time.Microsecond) // the same millisecond
		default:
			at = at.Add(time.Duration(1+rng.IntN(90)) * time.Second)
		}
		model := answering[rng.IntN(len(answering))]
		prompt := prompts[rng.IntN(len(prompts))]
		hash := "h-" + prompt
		switch rng.IntN(12) {
		case 0:
			prompt = "" // logged without --keep-prompts
		case 1:
			prompt, hash = "", router.EmptyPromptHash // an image alone
		}
		r := router.Record{RequestID: fmt.Sprintf("%016x", rng.Uint64()), Time: at, API: "chat.completions",
			PromptHash: hash, PromptText: prompt,
			Decision: router.Decision{Deployment: []string{"prod", "prod", "beta"}[rng.IntN(3)], Mode: router.ModeBalanced, ChosenID: model},
			Answered: model, Status: 200, UsageEstimated: rng.IntN(6) == 0,
			Usage: router.Usage{PromptTokens: 10 + rng.IntN(400), CompletionTokens: 20 + rng.IntN(900), ReasoningTokens: rng.IntN(3) * 7}}
		if rng.IntN(15) == 0 {
			r.Answered, r.Status = "", 502 // every attempt failed: nothing to rate
		}
		s.Log().Record(r)
		if r.Answered != "" && rng.IntN(8) != 0 {
			rated = append(rated, r.RequestID)
		}
	}
	require.NoError(t, s.Log().Flush(ctx))
	for _, id := range rated {
		require.NoError(t, s.AddFeedback(ctx, id, float64(rng.IntN(8))/7, "", ""))
	}
	require.NoError(t, s.Close())
	return db
}

// TestExportFeedbackOfAMixedLogWritesItsRecordedFiles: the export of
// mixedRatedLog is byte for byte the one recorded in testdata (written
// by the export that held every prompt in memory until the end), so a
// reader that streams the rated answers neither drops, repeats nor
// reorders an item, a label or a count. Rerun with -update-export-golden
// only for a change meant to alter the files.
func TestExportFeedbackOfAMixedLogWritesItsRecordedFiles(t *testing.T) {
	db := mixedRatedLog(t)
	out := filepath.Join(t.TempDir(), "traffic")
	stdout, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
	require.NoError(t, err)
	placeholders := strings.NewReplacer(db, "DB", out, "OUT")
	got := map[string]string{"stdout.txt": placeholders.Replace(stdout), "stderr.txt": placeholders.Replace(stderr)}
	for _, name := range exportFiles {
		data, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		got[name] = placeholders.Replace(string(data))
	}
	golden := filepath.Join("testdata", "export-feedback-mixed-log")
	if *updateExportGolden {
		require.NoError(t, os.MkdirAll(golden, 0o755))
		for name, data := range got {
			require.NoError(t, os.WriteFile(filepath.Join(golden, name), []byte(data), 0o644))
		}
	}
	for name, data := range got {
		want, err := os.ReadFile(filepath.Join(golden, name))
		require.NoError(t, err)
		assert.Equal(t, string(want), data, name)
	}
	// The log is what the test says it is: many items, most of them with
	// answers of more than one row, and every kind of skipped row.
	assert.Regexp(t, `^\d{3} rated answers: \d\d prompts with \d\d labels written to OUT; \d+ skipped without prompt text .*; \d+ skipped with no text to read .*; \d+ scored without a length`, got["stdout.txt"])
	assert.Contains(t, got["stderr.txt"], "retired-model-2024-01-01 is not in this build's catalog")
}
