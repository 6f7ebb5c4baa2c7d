package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// BenchmarkReportOf30Days sums the 30 days before sampleTime in a log of
// a year, as the dashboard's 30-day view does: "first" forgets the days'
// totals before each report (which keeps them again), "repeated" reports
// again with them kept.
func BenchmarkReportOf30Days(b *testing.B) {
	for _, n := range []int{50_000, 200_000} {
		s := largeLog(b, n)
		ctx := context.Background()
		q := store.ReportQuery{Range: store.Range{Since: sampleTime.AddDate(0, 0, -30), Until: sampleTime}}
		report := func(b *testing.B) {
			rep, err := s.Reports().Report(ctx, q)
			if err != nil || rep.Total.Requests == 0 {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("rows=%d/first", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				forgetReportDays(s)
				b.StartTimer()
				report(b)
			}
		})
		// What `modelrouter report` (read-only, keeping nothing) pays
		// where no gateway kept the days.
		b.Run(fmt.Sprintf("rows=%d/none-kept-read-only", n), func(b *testing.B) {
			forgetReportDays(s)
			for b.Loop() {
				rep, err := store.NewReports(s.DB()).Report(ctx, q)
				if err != nil || rep.Total.Requests == 0 {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rows=%d/repeated", n), func(b *testing.B) {
			report(b)
			b.ResetTimer()
			for b.Loop() {
				report(b)
			}
		})
	}
}

// forgetReportDays drops the per-day totals a report keeps, so the next
// report reads every row (an error means a log without them: nothing to
// forget).
func forgetReportDays(s *store.Store) {
	_, _ = s.DB().Exec(`DELETE FROM report_days_done`)
}

// BenchmarkLogWithKeptDaysTriggers is BenchmarkLogThroughput with the
// triggers that forget a kept report day, and with them dropped: what the
// writer pays for them, side by side. Rows go into days already kept, so
// each insert also deletes the day's mark.
func BenchmarkLogWithKeptDaysTriggers(b *testing.B) {
	for _, triggers := range []bool{true, false} {
		b.Run(fmt.Sprintf("triggers=%t", triggers), func(b *testing.B) {
			s := MustOpen(b)
			if !triggers {
				_, err := s.DB().Exec(`DROP TRIGGER report_days_insert; DROP TRIGGER report_days_update; DROP TRIGGER report_days_delete`)
				require.NoError(b, err)
			}
			_, err := s.DB().Exec(`WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 400)
				INSERT INTO report_days_done (day_ms, filled, token) SELECT ? + n * 86400000, 1, 0 FROM d`,
				sampleTime.AddDate(0, 0, -200).Truncate(24*time.Hour).UnixMilli())
			require.NoError(b, err)
			b.ResetTimer()
			for i := range b.N {
				s.Log().Record(sampleRecord(requestID(i), sampleTime.Add(time.Duration(i%400-200)*24*time.Hour)))
			}
			require.NoError(b, s.Log().Flush(context.Background()))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
