package openai

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// AppendJSON appends the JSON encoding of sd to b: byte for byte what
// json.Marshal gives, without its reflection. Every routed answer carries
// this object (one line per candidate model), so it is encoded on every
// call. Like json.Marshal it refuses NaN and infinite numbers.
func (sd SelectionDetails) AppendJSON(b []byte) ([]byte, error) {
	// One allocation of about the right size: a candidate's line is
	// 150-250 bytes (its reason is most of it).
	b = slices.Grow(b, 160+256*len(sd.Candidates)+96*len(sd.FallbacksTried))
	b = append(b, `{"mode":`...)
	b = appendJSONString(b, sd.Mode)
	b = append(b, `,"chosen_model":`...)
	b = appendJSONString(b, sd.ChosenModel)
	b = append(b, `,"answered_model":`...)
	b = appendJSONString(b, sd.AnsweredModel)
	b = append(b, `,"candidates":`...)
	var err error
	if sd.Candidates == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range sd.Candidates {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = c.appendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"fallbacks_tried":`...)
	if sd.FallbacksTried == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, f := range sd.FallbacksTried {
			if i > 0 {
				b = append(b, ',')
			}
			b = f.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"session_affinity":`...)
	b = strconv.AppendBool(b, sd.SessionAffinity)
	b = append(b, `,"router_latency_ms":`...)
	if b, err = appendJSONFloat(b, sd.RouterLatencyMS); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func (c SelectionCandidate) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"model":`...)
	b = appendJSONString(b, c.Model)
	b = append(b, `,"predicted_quality":`...)
	var err error
	if b, err = appendJSONFloat(b, c.PredictedQuality); err != nil {
		return nil, err
	}
	b = append(b, `,"expected_cost_usd":`...)
	if b, err = appendJSONFloat(b, c.ExpectedCostUSD); err != nil {
		return nil, err
	}
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(c.Rank), 10)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, c.Reason)
	return append(b, '}'), nil
}

func (f FallbackTried) appendJSON(b []byte) []byte {
	b = append(b, `{"model":`...)
	b = appendJSONString(b, f.Model)
	if f.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(f.Status), 10)
	}
	if f.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, f.Error)
	}
	return append(b, '}')
}

// appendJSONString quotes s as encoding/json does. Printable ASCII that
// needs no escape (model ids, most reasons) is copied; anything else goes
// through json.Marshal, which knows its HTML, control and Unicode escapes.
func appendJSONString(b []byte, s string) []byte {
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

// appendJSONFloat formats f as encoding/json formats a float64: the
// shortest representation, in exponent form only below 1e-6 or from 1e21
// on, with a two-digit negative exponent trimmed to one digit (1e-07 is
// written 1e-7).
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, 64))
	}
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
	return b, nil
}
