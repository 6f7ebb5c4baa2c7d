package store

import (
	"context"
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
			require.NoError(t, s.db.QueryRow(`SELECT count(*) FROM report_days_done WHERE filled = 1`).Scan(&filled))
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
