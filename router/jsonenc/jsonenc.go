// Package jsonenc appends JSON strings and numbers exactly as encoding/json
// writes them, without reflection. The gateway's hot paths (the answer's
// model_selection_details, the decision log's JSON columns) encode the
// router's records by hand with it; their tests compare the bytes with
// json.Marshal's.
package jsonenc

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// String appends s quoted as encoding/json quotes it. ASCII is escaped
// here as encoding/json escapes it (quotes, backslashes, control
// characters, and <, > and & as \u003c, \u003e and \u0026): a
// candidate's reason quotes a profile or says ">=", and going through
// json.Marshal for that cost an allocation per string. A string with
// anything beyond ASCII goes through json.Marshal, which knows its
// Unicode escapes and invalid UTF-8.
func String(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Float appends f as encoding/json formats a float64: the shortest
// representation, in exponent form only below 1e-6 or from 1e21 on, with a
// two-digit negative exponent trimmed to one digit (1e-07 is written 1e-7).
// NaN and infinities are an error, as in encoding/json.
func Float(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, 64))
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

// Array appends xs as a JSON array, each element written by elem (an
// empty or nil slice is "[]": callers that must write null for nil, as
// json.Marshal does, check first).
func Array[T any](b []byte, xs []T, elem func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, ']')
}
