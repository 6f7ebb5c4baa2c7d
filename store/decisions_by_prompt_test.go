package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// export-feedback groups rated answers by deployment and prompt text and
// writes the groups in the order of their oldest rows. Given the rows of
// a group together, it holds one group in memory rather than the log's.
func TestRowsOfOnePromptComeTogetherWhereTheirOldestRowWould(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	// Request ids sort against time, and three rows share one instant
	// (told apart by their ids), two of them the first rows of their
	// groups.
	rows := []struct {
		id, deployment, prompt string
		minute                 int
	}{
		{"req-00009", "prod", "A", 0},
		{"req-00008", "prod", "B", 1},
		{"req-00007", "beta", "A", 2},
		{"req-00006", "prod", "A", 3},
		{"req-00005", "prod", "", 4}, // logged without its text
		{"req-00004", "prod", "B", 5},
		{"req-00003", "prod", "C", 3},
		{"req-00002", "prod", "D", 3},
		{"req-00001", "prod", "A", 6}, // unrated
	}
	var recs []router.Record
	for _, r := range rows {
		rec := sampleRecord(r.id, sampleTime.Add(time.Duration(r.minute)*time.Minute))
		rec.Decision.Deployment, rec.PromptText = r.deployment, r.prompt
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	for _, r := range rows[:len(rows)-1] {
		require.NoError(t, s.AddFeedback(ctx, r.id, 1, "", ""))
	}
	got, err := s.Decisions(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true})
	require.NoError(t, err)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.RequestID)
	}
	assert.Equal(t, []string{
		"req-00009", "req-00006", // prod A
		"req-00008", "req-00004", // prod B
		"req-00007", // beta A
		"req-00002", // prod D, at C's instant with a smaller id
		"req-00003", // prod C
		"req-00005", // no text
	}, ids)
}
