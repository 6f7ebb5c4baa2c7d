package store

import (
	"strconv"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/jsonenc"
)

// The decision log's JSON columns are encoded by hand: the writer encodes
// every request's candidates (one per model of the deployment) and
// json.Marshal's reflection was a quarter of the gateway's CPU under load.
// The bytes are exactly json.Marshal's (tests compare them), so readers see
// no difference.

// appendCandidates appends cs as json.Marshal encodes []router.Candidate.
// The numbers must be finite (candidatesJSON cleans them first).
func appendCandidates(b []byte, cs []router.Candidate) []byte {
	return jsonenc.Array(b, cs, appendCandidate)
}

func appendCandidate(b []byte, c router.Candidate) []byte {
	if c.LeftOut {
		return appendLeftOut(b, c)
	}
	b = append(b, `{"model":`...)
	b = jsonenc.String(b, c.Model)
	b = append(b, `,"profile":`...)
	b = jsonenc.String(b, c.Profile)
	b = append(b, `,"eligible":`...)
	b = strconv.AppendBool(b, c.Eligible)
	b = append(b, `,"predicted_quality":`...)
	b, _ = jsonenc.Float(b, c.Quality)
	b = append(b, `,"predicted_output_tokens":`...)
	b, _ = jsonenc.Float(b, c.OutputTokens)
	b = append(b, `,"expected_cost_usd":`...)
	b, _ = jsonenc.Float(b, c.ExpectedCost)
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(c.Rank), 10)
	b = append(b, `,"reason":`...)
	b = jsonenc.String(b, c.Reason)
	return append(b, '}')
}

// appendLeftOut appends a model the deployment leaves out as
// json.Marshal encodes {model, eligible, rank, reason}: its name and the short reason,
// eligible false and rank 0 as every excluded candidate has, which a
// query filtering or sorting on them reads alike; no profile, no numbers
// (all zero) and not the long reason, which is the same on every call of
// the deployment and, written on every row, made a row take a 4 KiB page
// alone (BenchmarkRowOnDisk).
func appendLeftOut(b []byte, c router.Candidate) []byte {
	b = append(b, `{"model":`...)
	b = jsonenc.String(b, c.Model)
	b = append(b, `,"eligible":false,"rank":0,"reason":`...)
	b = jsonenc.String(b, router.LeftOutLogReason)
	return append(b, '}')
}

// appendAttempts appends as as json.Marshal encodes []router.Attempt.
func appendAttempts(b []byte, as []router.Attempt) []byte {
	return jsonenc.Array(b, as, appendAttempt)
}

func appendAttempt(b []byte, a router.Attempt) []byte {
	b = append(b, `{"model":`...)
	b = jsonenc.String(b, a.Model)
	if a.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(a.Status), 10)
	}
	if a.Error != "" {
		b = append(b, `,"error":`...)
		b = jsonenc.String(b, a.Error)
	}
	b = append(b, `,"latency_ns":`...)
	b = strconv.AppendInt(b, int64(a.Latency), 10)
	if a.NotSent {
		b = append(b, `,"not_sent":true`...)
	}
	if a.UpstreamRequestID != "" {
		b = append(b, `,"upstream_request_id":`...)
		b = jsonenc.String(b, a.UpstreamRequestID)
	}
	return append(b, '}')
}
