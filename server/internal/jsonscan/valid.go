package jsonscan

import "encoding/binary"

// Valid reports whether raw is one JSON value with only whitespace around
// it, exactly as json.Valid does (bytes past ASCII inside strings are
// taken unchecked, and a 10,001st open bracket is too deep, as there). encoding/json steps a state machine through
// a function call per byte, which made checking an agent's 300 KB body
// the largest part of routing it; this walks the grammar directly and
// passes over a string's plain bytes eight at a time.
func Valid(raw []byte) bool {
	var kinds bracketKinds
	depth := 0
	i := Space(raw, 0)
	for {
		// A value starts at i.
		if i >= len(raw) {
			return false
		}
		switch c := raw[i]; c {
		case '{', '[':
			if depth == maxDepth {
				return false
			}
			kinds.set(depth, c == '[')
			depth++
			i = Space(raw, i+1)
			if i < len(raw) && raw[i] == c+2 { // ']' and '}' are two past their openers
				depth--
				i++
				break
			}
			if c == '{' {
				if i = member(raw, i); i < 0 {
					return false
				}
			}
			continue
		case '"':
			if i = validString(raw, i); i < 0 {
				return false
			}
		case 't':
			if i = literal(raw, i, "true"); i < 0 {
				return false
			}
		case 'f':
			if i = literal(raw, i, "false"); i < 0 {
				return false
			}
		case 'n':
			if i = literal(raw, i, "null"); i < 0 {
				return false
			}
		default:
			if i = number(raw, i); i < 0 {
				return false
			}
		}
		// A value ended at i: what may follow depends on what holds it.
		for {
			i = Space(raw, i)
			if depth == 0 {
				return i == len(raw)
			}
			if i >= len(raw) {
				return false
			}
			array := kinds.isArray(depth - 1)
			switch {
			case raw[i] == ',' && array:
				i = Space(raw, i+1)
			case raw[i] == ',':
				if i = member(raw, Space(raw, i+1)); i < 0 {
					return false
				}
			case raw[i] == ']' && array, raw[i] == '}' && !array:
				depth--
				i++
				continue
			default:
				return false
			}
			break
		}
	}
}

// member checks an object member's key and colon starting at i and
// returns where its value starts, or -1.
func member(raw []byte, i int) int {
	if i >= len(raw) || raw[i] != '"' {
		return -1
	}
	if i = validString(raw, i); i < 0 {
		return -1
	}
	i = Space(raw, i)
	if i >= len(raw) || raw[i] != ':' {
		return -1
	}
	return Space(raw, i+1)
}

// literal checks that want is written at i and returns the index after it,
// or -1.
func literal(raw []byte, i int, want string) int {
	if len(raw)-i < len(want) || string(raw[i:i+len(want)]) != want {
		return -1
	}
	return i + len(want)
}

// number checks the number at i (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)
// and returns the index after it, or -1.
func number(raw []byte, i int) int {
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	switch {
	case i < len(raw) && raw[i] == '0':
		i++
	case i < len(raw) && raw[i] >= '1' && raw[i] <= '9':
		i = digits(raw, i+1)
	default:
		return -1
	}
	if i < len(raw) && raw[i] == '.' {
		if i++; i >= len(raw) || !isDigit(raw[i]) {
			return -1
		}
		i = digits(raw, i)
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		if i++; i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if i >= len(raw) || !isDigit(raw[i]) {
			return -1
		}
		i = digits(raw, i)
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(raw []byte, i int) int {
	for i < len(raw) && isDigit(raw[i]) {
		i++
	}
	return i
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainWord reports whether none of w's eight bytes is a quote, a
// backslash or a control character (each test is exact for a whole word:
// a borrow never reaches a byte that was not itself a match).
func plainWord(w uint64) bool {
	quote, backslash := w^(ones*'"'), w^(ones*'\\')
	hit := (quote - ones) &^ quote
	hit |= (backslash - ones) &^ backslash
	hit |= (w - ones*0x20) &^ w
	return hit&highs == 0
}

// validString checks the string whose opening quote is at i and returns
// the index after its closing quote, or -1.
func validString(raw []byte, i int) int {
	i++
	for {
		for len(raw)-i >= 8 && plainWord(binary.LittleEndian.Uint64(raw[i:])) {
			i += 8
		}
		if i >= len(raw) {
			return -1
		}
		switch c := raw[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i+1 >= len(raw) {
				return -1
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(raw)-i < 6 || !isHex(raw[i+2]) || !isHex(raw[i+3]) || !isHex(raw[i+4]) || !isHex(raw[i+5]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		default:
			i++
		}
	}
}
