package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// BenchmarkWALBesideOverlappingReaders logs one row a transaction while
// eight goroutines read in a loop through the store's pool (a key's spend,
// a count over the log), so that some read is always under way, as on a
// gateway busy enough that its key checks overlap: SQLite's own
// checkpoint then never finds the moment to start the -wal file over.
// It reports the file's largest size (wal-max-MiB), with the store's
// checkpoint (checkpoint=on) and with it put off for an hour (off).
// `-benchtime 4000x` logs 4,000 rows.
func BenchmarkWALBesideOverlappingReaders(b *testing.B) {
	for _, every := range []time.Duration{time.Hour, time.Second} {
		name := map[time.Duration]string{time.Hour: "checkpoint=off", time.Second: "checkpoint=on"}[every]
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "modelrouter.db")
			s, err := store.Open(path, store.WithCommitInterval(0), store.WithCheckpointInterval(every))
			require.NoError(b, err)
			defer s.Close()
			ctx := context.Background()
			var stop atomic.Bool
			var wg sync.WaitGroup
			for r := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stop.Load() {
						if r%2 == 0 {
							s.KeySpend(ctx, "key_a", time.Time{}, time.Time{}) //nolint:errcheck
							continue
						}
						var n int
						s.DB().QueryRowContext(ctx, `SELECT count(*) FROM decisions WHERE ts_ms > 0`).Scan(&n) //nolint:errcheck
					}
				}()
			}
			largest, i := int64(0), 0
			for b.Loop() {
				r := sampleRecord(fmt.Sprintf("req-%08d", i), sampleTime)
				r.KeyID = "key_a"
				logged(b, s, r)
				largest = max(largest, walSize(b, path))
				i++
			}
			stop.Store(true)
			wg.Wait()
			b.ReportMetric(float64(largest)/(1<<20), "wal-max-MiB")
		})
	}
}
