package openai

import (
	"slices"
	"strconv"

	"github.com/modelrouter/modelrouter/router/jsonenc"
)

// AppendJSON appends the JSON encoding of sd to b: byte for byte what
// json.Marshal gives, without its reflection. Every routed answer carries
// this object (one line per candidate model), so it is encoded on every
// call. Like json.Marshal it refuses NaN and infinite numbers.
func (sd SelectionDetails) AppendJSON(b []byte) ([]byte, error) {
	b = slices.Grow(b, sd.JSONSize())
	b = append(b, `{"mode":`...)
	b = jsonenc.String(b, sd.Mode)
	b = append(b, `,"chosen_model":`...)
	b = jsonenc.String(b, sd.ChosenModel)
	b = append(b, `,"answered_model":`...)
	b = jsonenc.String(b, sd.AnsweredModel)
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
		b = jsonenc.Array(b, sd.FallbacksTried, func(b []byte, f FallbackTried) []byte { return f.appendJSON(b) })
	}
	b = append(b, `,"session_affinity":`...)
	b = strconv.AppendBool(b, sd.SessionAffinity)
	b = append(b, `,"router_latency_ms":`...)
	if b, err = jsonenc.Float(b, sd.RouterLatencyMS); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// JSONSize is about the length of sd's encoding, so that the buffer it is
// appended to is allocated once, at about the right size: a candidate's
// line is 150-250 bytes (its reason is most of it).
func (sd SelectionDetails) JSONSize() int {
	return 160 + 256*len(sd.Candidates) + 96*len(sd.FallbacksTried)
}

func (c SelectionCandidate) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"model":`...)
	b = jsonenc.String(b, c.Model)
	b = append(b, `,"profile":`...)
	b = jsonenc.String(b, c.Profile)
	b = append(b, `,"predicted_quality":`...)
	var err error
	if b, err = jsonenc.Float(b, c.PredictedQuality); err != nil {
		return nil, err
	}
	b = append(b, `,"expected_cost_usd":`...)
	if b, err = jsonenc.Float(b, c.ExpectedCostUSD); err != nil {
		return nil, err
	}
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(c.Rank), 10)
	b = append(b, `,"reason":`...)
	b = jsonenc.String(b, c.Reason)
	return append(b, '}'), nil
}

func (f FallbackTried) appendJSON(b []byte) []byte {
	b = append(b, `{"model":`...)
	b = jsonenc.String(b, f.Model)
	if f.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(f.Status), 10)
	}
	if f.Error != "" {
		b = append(b, `,"error":`...)
		b = jsonenc.String(b, f.Error)
	}
	return append(b, '}')
}
