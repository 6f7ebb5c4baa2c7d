package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// BenchmarkRowOnDisk logs rows with five routed candidates and 0, 1, 2 or
// 4 Claude models left out for want of a deployment of their own, as a
// whole-version deployment logs them (Candidate.LeftOut: name and a short
// reason), and, as rows written before the short form were (long=1),
// each with the reason that says what to deploy, whole or cut to "not
// deployed". It reports the database file's growth a row (file-B/row,
// after a checkpoint, indexes included) and the candidates column's
// length (candidates-B/row). The trace_id=1 runs log each row with a
// W3C trace id, as a call with a traceparent is. `-benchtime 5000x` logs
// 5,000 rows.
func BenchmarkRowOnDisk(b *testing.B) {
	routed := make([]router.Candidate, 0, 5)
	for i, m := range []string{"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "o4-mini"} {
		routed = append(routed, router.Candidate{Model: m, Profile: m, Eligible: true, Quality: 0.6771234 + float64(i)/100,
			OutputTokens: 812.3, ExpectedCost: 0.00183456, Rank: i + 1, Reason: "cheapest in band"})
	}
	leftOut := func(n int, long bool, reason string) []router.Candidate {
		cs := append([]router.Candidate{}, routed...)
		for _, c := range [][3]string{{"claude-haiku-4-5-20251001", "claude-haiku-4-5", "20251001"},
			{"claude-opus-4-1-20250805", "claude-opus-4-1", "20250805"}, {"claude-opus-4-6", "claude-opus-4-6", "1"},
			{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "20250929"}}[:n] {
			why := reason
			if why == "" { // the words of a gateway's left-out model (server/manage)
				why = fmt.Sprintf("%s must be deployed before model router can route to it: first PUT a deployment with properties.model "+
					`{"format": %q, "name": %q, "version": %q} and sku.name %q`, c[0], "Anthropic", c[1], c[2], "GlobalStandard")
			}
			cs = append(cs, router.Candidate{Model: c[0], Profile: c[1], Reason: "excluded: " + why, LeftOut: !long})
		}
		return cs
	}
	for _, v := range []struct {
		name  string
		cands []router.Candidate
	}{
		{"left_out=0", leftOut(0, false, "")}, {"left_out=1", leftOut(1, false, "")}, {"left_out=2", leftOut(2, false, "")},
		{"left_out=4", leftOut(4, false, "")},
		{"left_out=1/long=1", leftOut(1, true, "")}, {"left_out=2/long=1", leftOut(2, true, "")},
		{"left_out=4/long=1", leftOut(4, true, "")}, {"left_out=4/long=1/reason=not_deployed", leftOut(4, true, "not deployed")},
		{"left_out=0/trace_id=1", leftOut(0, false, "")}, {"left_out=1/trace_id=1", leftOut(1, false, "")},
	} {
		b.Run(v.name, func(b *testing.B) {
			s := MustOpen(b)
			fileSize := func() int64 {
				_, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
				require.NoError(b, err)
				var size int64
				require.NoError(b, s.DB().QueryRow(`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&size))
				return size
			}
			empty := fileSize()
			i := 0
			for b.Loop() {
				r := sampleRecord(fmt.Sprintf("chatcmpl-%029d", i), sampleTime)
				r.Decision.Candidates = v.cands
				if strings.HasSuffix(v.name, "trace_id=1") {
					r.TraceID = fmt.Sprintf("%032x", i+1)
				}
				s.Log().Record(r)
				i++
			}
			logged(b, s)
			var cands float64
			require.NoError(b, s.DB().QueryRow(`SELECT avg(length(candidates)) FROM decisions`).Scan(&cands))
			b.ReportMetric(float64(fileSize()-empty)/float64(i), "file-B/row")
			b.ReportMetric(cands, "candidates-B/row")
		})
	}
}
