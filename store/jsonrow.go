package store

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/modelrouter/modelrouter/router"
)

// The decision log's JSON columns are encoded by hand: the writer encodes
// every request's candidates (one per model of the deployment) and
// json.Marshal's reflection was a quarter of the gateway's CPU under load.
// The bytes are exactly json.Marshal's (tests compare them), so readers see
// no difference.

// appendCandidates appends cs as json.Marshal encodes []router.Candidate.
// The numbers must be finite (candidatesJSON cleans them first).
func appendCandidates(b []byte, cs []router.Candidate) []byte {
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"model":`...)
		b = appendString(b, c.Model)
		b = append(b, `,"profile":`...)
		b = appendString(b, c.Profile)
		b = append(b, `,"eligible":`...)
		b = strconv.AppendBool(b, c.Eligible)
		b = append(b, `,"predicted_quality":`...)
		b = appendFloat(b, c.Quality)
		b = append(b, `,"predicted_output_tokens":`...)
		b = appendFloat(b, c.OutputTokens)
		b = append(b, `,"expected_cost_usd":`...)
		b = appendFloat(b, c.ExpectedCost)
		b = append(b, `,"rank":`...)
		b = strconv.AppendInt(b, int64(c.Rank), 10)
		b = append(b, `,"reason":`...)
		b = appendString(b, c.Reason)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendAttempts appends as as json.Marshal encodes []router.Attempt.
func appendAttempts(b []byte, as []router.Attempt) []byte {
	b = append(b, '[')
	for i, a := range as {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"model":`...)
		b = appendString(b, a.Model)
		if a.Status != 0 {
			b = append(b, `,"status":`...)
			b = strconv.AppendInt(b, int64(a.Status), 10)
		}
		if a.Error != "" {
			b = append(b, `,"error":`...)
			b = appendString(b, a.Error)
		}
		b = append(b, `,"latency_ns":`...)
		b = strconv.AppendInt(b, int64(a.Latency), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendString quotes s as encoding/json does: printable ASCII with nothing
// to escape is copied, anything else goes through json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendFloat formats a finite f as encoding/json does: shortest form,
// exponent only below 1e-6 or from 1e21, "e-07" trimmed to "e-7".
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
