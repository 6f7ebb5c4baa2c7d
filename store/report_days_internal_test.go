package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A report keeps a day only if none of its rows changed between the
// day's pending mark (committed before the report reads the day) and the
// write of its totals; a second report marking the same day meanwhile
// takes it over.
func TestADayChangedWhileAReportReadsItIsNotKept(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, tc := range []struct {
		name      string
		meanwhile func(t *testing.T, s *Store, rp *Reports)
		kept      bool
	}{
		{"nothing changed", func(*testing.T, *Store, *Reports) {}, true},
		{"a row's cost booked", func(t *testing.T, s *Store, _ *Reports) {
			_, err := s.db.Exec(`UPDATE decisions SET cost_usd = 9 WHERE request_id = 'r1'`)
			require.NoError(t, err)
		}, false},
		{"a row added", func(t *testing.T, s *Store, _ *Reports) {
			insertRow(t, s, "r3", day+3600_000)
		}, false},
		{"another report marked it", func(t *testing.T, _ *Store, rp *Reports) {
			require.NoError(t, rp.markPending(ctx, []int64{day}, 2))
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "log.db"))
			require.NoError(t, err)
			defer s.Close()
			insertRow(t, s, "r1", day+1000)
			insertRow(t, s, "r2", day+2000)
			rp := s.Reports()
			require.NoError(t, rp.markPending(ctx, []int64{day}, 1))
			read := newTally(true)
			require.NoError(t, rp.scan(ctx, read, time.UnixMilli(day), time.UnixMilli(day+dayMS), nil, &progress{}))
			tc.meanwhile(t, s, rp)
			require.NoError(t, rp.keepDays(ctx, []int64{day}, 1, []*tally{read}))
			var filled int
			require.NoError(t, s.db.QueryRow(`SELECT count(*) FROM report_days_done WHERE filled = ?`, keptFormat).Scan(&filled))
			assert.Equal(t, tc.kept, filled == 1)
		})
	}
}

func insertRow(t *testing.T, s *Store, id string, tsMS int64) {
	t.Helper()
	_, err := s.db.Exec(`INSERT INTO decisions (request_id, ts, ts_ms, deployment, mode, router_version, router_model, api, stream,
		prompt_hash, candidates, chosen, answered, affinity, attempts, fallbacks_tried, status, error_code,
		prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd)
		VALUES (?, '', ?, 'd', '', 'v', '', '', 0, '', '[]', 'm', 'm', 0, '[]', 0, 200, '', 1, 1, 0, 0, 0.5)`, id, tsMS)
	require.NoError(t, err)
}

// The first report of a long log keeps its days a few at a time, each
// transaction under the batch's groups (a larger day alone), so the
// decision log's writer never waits for all of them; every day is kept.
func TestAFirstReportKeepsItsDaysInBoundedTransactions(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "log.db"))
	require.NoError(t, err)
	defer s.Close()
	first := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).UnixMilli()
	var days []int64
	for i := range int64(5) {
		days = append(days, first+i*dayMS)
		insertRow(t, s, fmt.Sprintf("r%d", i), first+i*dayMS+1000)
	}
	for _, id := range []string{"wide-a", "wide-b"} { // day 2 has three groups
		insertRow(t, s, id, days[2]+2000)
		_, err := s.db.Exec(`UPDATE decisions SET deployment = ? WHERE request_id = ?`, id, id)
		require.NoError(t, err)
	}
	rp := s.Reports()
	rp.now = func() time.Time { return time.UnixMilli(days[4] + dayMS + 3600_000) }
	rp.keepBatch = 2
	var batches [][]int64
	rp.keptBatch = func(d []int64) { batches = append(batches, append([]int64(nil), d...)) }
	rep, err := rp.Report(ctx, ReportQuery{})
	require.NoError(t, err)
	assert.Equal(t, [][]int64{days[0:2], days[2:3], days[3:5]}, batches)
	var filled int
	require.NoError(t, s.db.QueryRow(`SELECT count(*) FROM report_days_done WHERE filled = ?`, keptFormat).Scan(&filled))
	assert.Equal(t, 5, filled)
	again, err := rp.Report(ctx, ReportQuery{})
	require.NoError(t, err)
	assert.Equal(t, rep.Total, again.Total)
	assert.Len(t, batches, 3, "the second report read the kept days and kept none")
}
