package store

import (
	"encoding/json"
	"strconv"
	"strings"
)

// reportCandidates decodes a decisions row's candidates column into the
// fields a report reads. A report decodes every row in its range, and
// encoding/json spent most of a report's time on it (a month of a busy
// log is hundreds of thousands of rows), so the shape the writer writes
// (appendCandidates: flat objects, plain strings) is read by hand; any
// other input, escapes in the names read, keys in another case, nesting,
// malformed JSON, goes to json.Unmarshal, so the result is always what it
// would give.
func reportCandidates(s string) ([]candidate, error) {
	if cs, ok := scanCandidates(s); ok {
		return cs, nil
	}
	var cs []candidate
	err := json.Unmarshal([]byte(s), &cs)
	return cs, err
}

// candidateScan reads JSON from s at i.
type candidateScan struct {
	s string
	i int
}

// scanCandidates is reportCandidates' hand reader; ok is false where it
// cannot say for sure what json.Unmarshal would return.
func scanCandidates(s string) (cs []candidate, ok bool) {
	p := candidateScan{s: s}
	p.space()
	if !p.eat('[') {
		return nil, false
	}
	cs = []candidate{}
	p.space()
	if p.eat(']') {
		return cs, p.end()
	}
	for {
		c, ok := p.object()
		if !ok {
			return nil, false
		}
		cs = append(cs, c)
		p.space()
		if p.eat(',') {
			p.space()
			continue
		}
		if p.eat(']') {
			return cs, p.end()
		}
		return nil, false
	}
}

func (p *candidateScan) object() (c candidate, ok bool) {
	if !p.eat('{') {
		return c, false
	}
	p.space()
	if p.eat('}') {
		return c, true
	}
	for {
		key, ok := p.plainString()
		if !ok {
			return c, false
		}
		p.space()
		if !p.eat(':') {
			return c, false
		}
		p.space()
		// null leaves a field as it was, as json.Unmarshal does.
		switch {
		case p.literal("null"):
		case key == "model":
			if c.Model, ok = p.plainString(); !ok {
				return c, false
			}
		case key == "eligible":
			switch {
			case p.literal("true"):
				c.Eligible = true
			case p.literal("false"):
				c.Eligible = false
			default:
				return c, false
			}
		case key == "predicted_quality":
			if c.Quality, ok = p.number(); !ok {
				return c, false
			}
		case key == "expected_cost_usd":
			if c.ExpectedCost, ok = p.number(); !ok {
				return c, false
			}
		case foldsToField(key):
			// json.Unmarshal matches keys in any case.
			return c, false
		default:
			if !p.skipValue() {
				return c, false
			}
		}
		p.space()
		if p.eat(',') {
			p.space()
			continue
		}
		if p.eat('}') {
			return c, true
		}
		return c, false
	}
}

// foldsToField reports a key json.Unmarshal might match to a field the
// report reads: one in another case, or any with a byte past ASCII
// (Unicode folds a few of those to ASCII letters).
func foldsToField(key string) bool {
	for _, f := range []string{"model", "eligible", "predicted_quality", "expected_cost_usd"} {
		if strings.EqualFold(key, f) {
			return true
		}
	}
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			return true
		}
	}
	return false
}

func (p *candidateScan) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *candidateScan) end() bool {
	p.space()
	return p.i == len(p.s)
}

func (p *candidateScan) eat(b byte) bool {
	if p.i < len(p.s) && p.s[p.i] == b {
		p.i++
		return true
	}
	return false
}

func (p *candidateScan) literal(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// plainString reads a string of printable ASCII without escapes, which
// decodes to itself.
func (p *candidateScan) plainString() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for ; p.i < len(p.s); p.i++ {
		switch b := p.s[p.i]; {
		case b == '"':
			v := p.s[start:p.i]
			p.i++
			return v, true
		case b == '\\' || b < 0x20 || b >= 0x7f:
			return "", false
		}
	}
	return "", false
}

// number reads a JSON number as json.Unmarshal does (strconv.ParseFloat
// of its text).
func (p *candidateScan) number() (float64, bool) {
	start := p.i
	p.eat('-')
	switch {
	case p.eat('0'):
	case p.digits() > 0:
	default:
		return 0, false
	}
	if p.eat('.') && p.digits() == 0 {
		return 0, false
	}
	if p.eat('e') || p.eat('E') {
		if !p.eat('+') {
			p.eat('-')
		}
		if p.digits() == 0 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(p.s[start:p.i], 64)
	return f, err == nil
}

func (p *candidateScan) digits() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// skipValue passes over the value of a field the report does not read: a
// string (escapes checked as JSON has them), number, true or false.
func (p *candidateScan) skipValue() bool {
	switch {
	case p.literal("true"), p.literal("false"):
		return true
	case p.i < len(p.s) && p.s[p.i] == '"':
		return p.skipString()
	}
	_, ok := p.number()
	return ok
}

func (p *candidateScan) skipString() bool {
	p.i++ // the opening quote
	for p.i < len(p.s) {
		b := p.s[p.i]
		switch {
		case b == '"':
			p.i++
			return true
		case b < 0x20:
			return false
		case b == '\\':
			p.i++
			if p.i >= len(p.s) {
				return false
			}
			switch p.s[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				if p.i+5 > len(p.s) {
					return false
				}
				for _, h := range []byte(p.s[p.i+1 : p.i+5]) {
					if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h)) {
						return false
					}
				}
				p.i += 5
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}
