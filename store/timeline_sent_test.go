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

// sentCandidates: "big" is chosen and priced in every call below, so the
// cost report counts each call it sees as sent in its routed total.
var sentCandidates = []router.Candidate{cand("big", .9, .01), cand("mid", .8, .002)}

// unanswered is a call the router decided for "big" that no model answered.
func unanswered(id string, at time.Time, status int, code string, attempts ...router.Attempt) router.Record {
	return router.Record{
		RequestID: id, Time: at, API: "chat.completions", PromptHash: "h-" + id,
		Decision: router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: "big", Candidates: sentCandidates},
		Attempts: attempts, Status: status, ErrorCode: code,
	}
}

// timelineRequests sums a timeline's requests per model.
func timelineRequests(t *testing.T, rp *store.Reports, rng store.Range) map[string]int64 {
	t.Helper()
	points, err := rp.Timeline(context.Background(), store.TimelineQuery{Range: rng, Bucket: time.Hour})
	require.NoError(t, err)
	got := map[string]int64{}
	for _, p := range points {
		got[p.Model] += p.Requests
	}
	return got
}

// The dashboard's routing share and cost charts are the traffic sent to
// each model. A POST /v1/route dry run, a call refused at capacity and one
// whose only attempt ended before sending were decided for "big" but never
// reached it: charting them would credit "big" with traffic it never had.
// A failed call that did reach "big" stays, with its error.
func TestTimelineChartsOnlyRequestsSentToAModel(t *testing.T) {
	s := MustOpen(t)
	at := day(5, 10)
	answered := unanswered("answered", at, 200, "", router.Attempt{Model: "mid", Status: 200})
	answered.Decision.ChosenID, answered.Answered = "mid", "mid"
	logged(t, s,
		answered,
		unanswered("dry-run", at, 200, ""),
		unanswered("at-capacity", at, 429, router.ERateLimited),
		unanswered("translation-refused", at, 400, router.EInvalid, router.Attempt{Model: "big", NotSent: true}),
		unanswered("upstream-failed", at, 502, router.EUpstream, router.Attempt{Model: "big", Status: 502}),
	)
	rng := store.Range{Since: day(5, 0), Until: day(6, 0)}
	rp := s.Reports()

	assert.Equal(t, map[string]int64{"mid": 1, "big": 1}, timelineRequests(t, rp, rng))
	points, err := rp.Timeline(context.Background(), store.TimelineQuery{Range: rng, Bucket: time.Hour})
	require.NoError(t, err)
	for _, p := range points {
		if p.Model == "big" {
			assert.Equal(t, int64(1), p.Errors, "the upstream failure is big's only error")
		}
	}

	rep, err := rp.Report(context.Background(), store.ReportQuery{Range: rng})
	require.NoError(t, err)
	assert.Equal(t, int64(5), rep.Total.Requests, "the report still counts every call")
	assert.Equal(t, int64(2), rep.Total.Routed, "the timeline charts what the report counts as routed")
}

// Whatever the attempts column holds — rows an older release wrote before
// attempts said not_sent, or text no release writes — the timeline and the
// cost report agree on whether the call was sent.
func TestTimelineReadsAttemptsAsTheReportDoes(t *testing.T) {
	for _, tc := range []struct {
		name, attempts string
		sent           bool
	}{
		{"no attempts", `[]`, false},
		{"empty column", ``, false},
		{"null", ` null `, false},
		{"older log: a failed attempt", `[{"model":"big","status":502,"latency_ns":1000}]`, true},
		{"older log: a dropped connection", `[{"model":"big","error":"EOF","latency_ns":1000}]`, true},
		{"every attempt not sent", `[{"model":"big","latency_ns":0,"not_sent":true},{"model":"mid","latency_ns":0,"not_sent":true}]`, false},
		{"one attempt of two sent", `[{"model":"big","latency_ns":0,"not_sent":true},{"model":"mid","status":500,"latency_ns":1}]`, true},
		{"not_sent false", `[{"model":"big","status":500,"latency_ns":1,"not_sent":false}]`, true},
		{"unreadable", `not json`, true},
		{"an object, not an array", `{"model":"big"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustOpen(t)
			logged(t, s, unanswered("call", day(5, 10), 502, router.EUpstream))
			_, err := s.DB().Exec(`UPDATE decisions SET attempts = ? WHERE request_id = 'call'`, tc.attempts)
			require.NoError(t, err)
			rng := store.Range{Since: day(5, 0), Until: day(6, 0)}

			want := map[string]int64{}
			if tc.sent {
				want["big"] = 1
			}
			assert.Equal(t, want, timelineRequests(t, s.Reports(), rng))
			rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: rng})
			require.NoError(t, err)
			assert.Equal(t, tc.sent, rep.Total.Routed == 1, "the report's routed count")
		})
	}
}
