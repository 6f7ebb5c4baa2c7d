package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/modelrouter/modelrouter/store"
)

// BenchmarkReportOf30Days sums the 30 days before sampleTime in a log of
// a year, as the dashboard's 30-day view does: "first" forgets the days'
// totals before each report, "repeated" reports again with them kept.
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
