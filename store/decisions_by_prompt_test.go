package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
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

// byPromptWindow is the order ByPrompt gives, as SQLite's window function
// defines it (what EachDecision ran before it ordered the rows itself):
// the request ids of the rows that match where, a group of one deployment
// and prompt text where its oldest row comes, its rows oldest first.
func byPromptWindow(t *testing.T, s *store.Store, from string) []string {
	t.Helper()
	const oldestFirst = "d.ts_ms, d.ts, d.request_id"
	rows, err := s.DB().Query(`SELECT d.request_id ` + from +
		` WINDOW byPrompt AS (PARTITION BY d.deployment, d.prompt_text ORDER BY ` + oldestFirst + `)` +
		` ORDER BY first_value(d.ts_ms) OVER byPrompt, first_value(d.ts) OVER byPrompt, first_value(d.request_id) OVER byPrompt, ` + oldestFirst)
	require.NoError(t, err)
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	return ids
}

// ByPrompt's rows are read in batches by rowid: over several batches, with
// groups that span them, rows that share an instant, texts that differ only
// in being NULL or empty, and a limit that ends mid-group, they come in the
// window function's order, each row as Decisions reads it, feedback and all,
// also of a time range and of one deployment.
func TestRowsByPromptOverSeveralBatchesComeInTheWindowsOrder(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	const n = 1300
	var recs []router.Record
	for i := range n {
		// Ids sort against time; every third row shares its millisecond
		// with the one before, half of them a nanosecond later (ts, not
		// the id, orders them).
		at := sampleTime.Add(time.Duration(i-i/3) * time.Second)
		if i%6 == 0 {
			at = at.Add(time.Nanosecond)
		}
		rec := sampleRecord(requestID(n-i), at)
		rec.Decision.Deployment = []string{"prod", "beta"}[i%2]
		if i%7 != 0 {
			rec.PromptText = fmt.Sprintf("prompt %d", (i*31)%97)
		}
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	_, err := s.DB().Exec(`UPDATE decisions SET prompt_text = '' WHERE prompt_text IS NULL AND rowid % 2 = 0`)
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		if i%5 != 0 {
			require.NoError(t, s.AddFeedback(ctx, requestID(i), float64(i%4)/4, fmt.Sprintf("l%d", i), ""))
		}
	}
	inTimeOrder, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	byID := map[string]store.DecisionRow{}
	for _, r := range inTimeOrder {
		byID[r.RequestID] = r
	}
	for _, c := range []struct {
		filter store.DecisionFilter
		from   string
	}{
		{store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true},
			"FROM feedback f JOIN decisions d ON d.request_id = f.request_id"},
		{store.DecisionFilter{ByPrompt: true}, "FROM decisions d"},
		{store.DecisionFilter{Since: sampleTime.Add(100 * time.Second), Until: sampleTime.Add(700 * time.Second), ByPrompt: true},
			fmt.Sprintf("FROM decisions d WHERE d.ts_ms >= %d AND d.ts_ms < %d",
				sampleTime.Add(100*time.Second).UnixMilli(), sampleTime.Add(700*time.Second).UnixMilli())},
		{store.DecisionFilter{Deployment: "beta", ByPrompt: true}, "FROM decisions d WHERE d.deployment = 'beta'"},
	} {
		want := byPromptWindow(t, s, c.from)
		require.Greater(t, len(want), 600)
		for _, limit := range []int{0, len(want) * 3 / 4} {
			f := c.filter
			f.Limit = limit
			got, err := s.Decisions(ctx, f)
			require.NoError(t, err)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.RequestID)
				assert.Equal(t, byID[r.RequestID], r)
			}
			if limit > 0 {
				assert.Equal(t, want[:limit], ids, "limit %d", limit)
			} else {
				assert.Equal(t, want, ids)
			}
		}
	}
}

// ByPrompt reads its rows in two steps within one read transaction: a
// rating given meanwhile waits for no lock, and the walk neither misses a
// row it ordered nor brings one it did not.
func TestRatingWhileRowsAreReadByPromptIsNotHeldOff(t *testing.T) {
	s := MustOpen(t, store.WithBusyTimeout(200*time.Millisecond))
	ctx := context.Background()
	var recs []router.Record
	for i := range 4 {
		rec := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Minute))
		rec.PromptText = "same prompt"
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	for _, id := range []string{requestID(0), requestID(1), requestID(2)} {
		require.NoError(t, s.AddFeedback(ctx, id, 1, "", ""))
	}
	var ids []string
	err := s.EachDecision(ctx, store.DecisionFilter{WithFeedback: true, ByPrompt: true}, func(r store.DecisionRow) error {
		if len(ids) == 0 {
			require.NoError(t, s.AddFeedback(ctx, requestID(3), 1, "", ""), "rated while the walk reads")
		}
		ids = append(ids, r.RequestID)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{requestID(0), requestID(1), requestID(2)}, ids)
}

// Prompts of a long conversation run to hundreds of kilobytes. ByPrompt
// hands its rows on one at a time, as a plain read does, rather than a
// batch of them at once: at its first row the walk holds far less than the
// 300 rows' 19 MiB of prompt text (it held 21 MiB while it read them 500
// at a time).
func TestRowsOfLargePromptsAreHandedOnOneAtATimeByPrompt(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	const n = 300
	long := strings.Repeat("A long conversation. ", 64<<10/21)
	var recs []router.Record
	for i := range n {
		rec := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Second))
		rec.PromptText = fmt.Sprint(i%10, long)
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	for i := range n {
		require.NoError(t, s.AddFeedback(ctx, requestID(i), 1, "", ""))
	}
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	before := mem.HeapAlloc
	held, rows := uint64(0), 0
	err := s.EachDecision(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error {
		if rows == 0 {
			runtime.GC() // what is still held, not what was read and dropped
			runtime.ReadMemStats(&mem)
			held = mem.HeapAlloc - min(before, mem.HeapAlloc)
		}
		rows++
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, n, rows)
	assert.Less(t, held, uint64(2<<20), "bytes held at the first row")
}

// A walk by prompt that its reader stops (an error of its own, or the
// command cancelled) ends its read transaction: no connection of the
// store is left holding an old snapshot, which would keep the -wal file
// from being checkpointed for as long as the gateway runs.
func TestAWalkByPromptStoppedEarlyLeavesNoReadOpen(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	const n = 1200
	var recs []router.Record
	for i := range n {
		rec := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Second))
		rec.PromptText = fmt.Sprint("prompt ", i%10)
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	for i := range n {
		require.NoError(t, s.AddFeedback(ctx, requestID(i), 1, "", ""))
	}
	stop := errors.New("stop")
	err := s.EachDecision(ctx, store.DecisionFilter{WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error { return stop })
	require.ErrorIs(t, err, stop)
	cctx, cancel := context.WithCancel(ctx)
	rows := 0
	err = s.EachDecision(cctx, store.DecisionFilter{WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error {
		if rows++; rows == 600 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, s.AddFeedback(ctx, requestID(0), 0.5, "", ""))
	var busy, frames, checkpointed int
	require.NoError(t, s.DB().QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &checkpointed))
	assert.Zero(t, busy, "a reader still holds the -wal file")
}

// export-feedback opens the log for reading only: beside a running
// gateway (sharing its -wal file) it reads one snapshot, a rating given
// meanwhile left out; of a stopped one (read as immutable) it reads every
// rated row.
func TestRowsByPromptAreReadFromALogOpenedForReading(t *testing.T) {
	ctx := context.Background()
	for _, running := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "m.db")
		s := mustOpenPath(t, path)
		var recs []router.Record
		for i := range 700 {
			rec := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Second))
			rec.PromptText = fmt.Sprint("prompt ", i%10)
			recs = append(recs, rec)
		}
		logged(t, s, recs...)
		for i := range 699 {
			require.NoError(t, s.AddFeedback(ctx, requestID(i), 1, "", ""))
		}
		if !running {
			require.NoError(t, s.Close())
		}
		r, err := store.OpenForReading(path)
		require.NoError(t, err)
		rows := 0
		err = r.EachDecision(ctx, store.DecisionFilter{Answered: true, WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error {
			if rows++; rows == 1 && running {
				require.NoError(t, s.AddFeedback(ctx, requestID(699), 1, "", ""))
			}
			return nil
		})
		require.NoError(t, err, "running %v", running)
		assert.Equal(t, 699, rows, "running %v", running)
		require.NoError(t, r.Close())
	}
}

// A walk by prompt reads in a transaction of its own on one connection.
// Should ending it fail, that connection must not go back to the store's
// pool still inside it: the next write there would fail at its BEGIN, or
// land in the old transaction and never be committed.
func TestWritesAfterAWalkByPromptThatCouldNotEndItsReadAreKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s := mustOpenPath(t, path)
	ctx := context.Background()
	var recs []router.Record
	for i := range 3 {
		rec := sampleRecord(requestID(i), sampleTime.Add(time.Duration(i)*time.Minute))
		rec.PromptText = "same prompt"
		recs = append(recs, rec)
	}
	logged(t, s, recs...)
	require.NoError(t, s.AddFeedback(ctx, requestID(0), 1, "", ""))

	// A savepoint that does not exist: the statement fails and the
	// transaction stays open, as after a rollback that failed.
	restore := store.SetRollbackSQL("ROLLBACK TO no_such_savepoint")
	rows := 0
	err := s.EachDecision(ctx, store.DecisionFilter{WithFeedback: true, ByPrompt: true}, func(store.DecisionRow) error {
		rows++
		return nil
	})
	restore()
	require.NoError(t, err)
	require.Equal(t, 1, rows)

	require.NoError(t, s.AddFeedback(ctx, requestID(1), 0.5, "", ""), "rating after the walk")
	_, key, err := s.CreateKey(ctx, "after the walk")
	require.NoError(t, err, "key created after the walk")
	require.NoError(t, s.Close())

	s = mustOpenPath(t, path)
	var rated int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM feedback`).Scan(&rated))
	assert.Equal(t, 2, rated, "ratings kept")
	keys, err := s.ListKeys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, key.ID, keys[0].ID)
}
