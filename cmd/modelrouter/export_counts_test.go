package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// export-feedback's summary and the README it writes put each count in
// the number it takes: "1 rated answer: 1 prompt with 1 label", not "1
// rated answers: 1 prompts with 1 labels".
func TestExportFeedbackCountsAgreeWithTheirNouns(t *testing.T) {
	for _, tc := range []struct {
		rated          int
		summary, intro string
	}{
		{1, "1 rated answer: 1 prompt with 1 label written to", "1 prompt, 1 label."},
		{2, "2 rated answers: 2 prompts with 2 labels written to", "2 prompts, 2 labels."},
	} {
		db := filepath.Join(t.TempDir(), "modelrouter.db")
		s, err := store.Open(db)
		require.NoError(t, err)
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := range tc.rated {
			id, text := fmt.Sprint("rated-", i), fmt.Sprint("Write poem number ", i, " about the sea.")
			s.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: id, PromptText: text,
				Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: gpt5mini},
				Answered: gpt5mini, Status: 200, Usage: router.Usage{PromptTokens: 40, CompletionTokens: 30}})
		}
		require.NoError(t, s.Log().Flush(ctx))
		for i := range tc.rated {
			require.NoError(t, s.AddFeedback(ctx, fmt.Sprint("rated-", i), 1, "", ""))
		}
		require.NoError(t, s.Close())

		out := filepath.Join(t.TempDir(), "traffic")
		stdout, _, err := runCmd(t, "export-feedback", "--db", db, "--out", out)
		require.NoError(t, err)
		assert.Contains(t, stdout, tc.summary)
		readme, err := os.ReadFile(filepath.Join(out, "README.md"))
		require.NoError(t, err)
		assert.Contains(t, string(readme), tc.intro)
	}
}
