package upstream

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Zod 4 writes every integer schema (z.int(), z.number().int()) with the
// bounds of JavaScript's safe integers, "minimum": -9007199254740991 and
// "maximum": 9007199254740991, and the OpenAI SDKs' zodResponseFormat,
// zodTextFormat and zodFunction send them as written, strict. Claude's
// structured outputs take no minimum or maximum, so before, every such
// schema left Claude out of the call (a strict format) or reached it
// without strict (a strict tool). The bounds forbid only integers of 16
// digits and more, which a JavaScript client cannot even read exactly,
// and the client's own parse (zod's) still checks them: so they are left
// out of what Claude is sent, and the schema is held to as written
// otherwise. Any other bound (z.number().int().min(0)'s minimum 0, z.int32()'s)
// is a real constraint and stays, for the check to judge.

// maxSafeIntegerDigits are the digits of JavaScript's
// Number.MAX_SAFE_INTEGER, 2^53 - 1, the bounds' magnitude. A schema
// without the last 15 of them (9007199254740991 or 9.007199254740991e15)
// is sent on without being read.
const maxSafeIntegerDigits = "9007199254740991"

var safeIntegerDigits = []byte(maxSafeIntegerDigits[1:])

// claudeWithoutSafeIntegerBounds is schema less the safe-integer bounds of
// its integer schemas; the bytes as sent where it has none. Keys keep the
// client's order.
func claudeWithoutSafeIntegerBounds(schema json.RawMessage) json.RawMessage {
	if !bytes.Contains(schema, safeIntegerDigits) {
		return schema
	}
	root, err := readJSONTree(schema)
	if err != nil || !root.isObject || !dropSafeIntegerBounds(root) {
		return schema
	}
	return root.appendTo(nil)
}

// Where a schema holds other schemas: one, a list of them, or an object of
// them by name. Not not and if: there, leaving a bound out forbids what
// the client allows (a not of the safe integers allows 2^60; a not of
// all integers does not) or sends an answer to then instead of else
// (a disjoint oneOf there could be anyOf, but Claude takes neither
// keyword, so the schema leaves Claude out either way).
var (
	subschemaOne  = []string{"items", "additionalProperties", "contains", "propertyNames", "then", "else", "additionalItems"}
	subschemaList = []string{"anyOf", "allOf", "oneOf", "prefixItems", "items"}
	subschemaMap  = []string{"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)

// dropSafeIntegerBounds drops the safe-integer bounds of integer schema n
// and of the schemas inside it, reporting whether it dropped any.
func dropSafeIntegerBounds(n *jsonTree) bool {
	if !n.isObject {
		return false
	}
	dropped := false
	// On a schema that is also a number the bounds forbid every number
	// past 2^53, a fraction too: a real constraint.
	if types := n.types(); slices.Contains(types, "integer") && !slices.Contains(types, "number") {
		for k, negative := range map[string]bool{"minimum": true, "maximum": false} {
			if v := n.get(k); v != nil && isSafeIntegerBound(v, negative) {
				n.del(k)
				dropped = true
			}
		}
	}
	eachSubschema(n, func(v *jsonTree) {
		dropped = dropSafeIntegerBounds(v) || dropped
	})
	return dropped
}

// eachSubschema calls f with each schema n holds directly (subschemaOne,
// subschemaList, subschemaMap), in the order of those lists.
func eachSubschema(n *jsonTree, f func(*jsonTree)) {
	for _, k := range subschemaOne {
		if v := n.get(k); v != nil {
			f(v)
		}
	}
	for _, k := range subschemaList {
		if list := n.get(k); list != nil && list.isArray {
			for _, v := range list.items {
				f(v)
			}
		}
	}
	for _, k := range subschemaMap {
		if m := n.get(k); m != nil && m.isObject {
			for _, member := range m.members {
				f(member.value)
			}
		}
	}
}

// isSafeIntegerBound reports whether v is the JSON number
// ±9007199254740991 exactly (negative for its minus), however written:
// 9007199254740991.0, 9.007199254740991e15. Read as a float64, a bound
// as near as 9007199254740990.9 would pass too, though it forbids
// 9007199254740991; read as a big number, an exponent of a billion
// would cost its digits.
func isSafeIntegerBound(v *jsonTree, negative bool) bool {
	n, ok := v.scalar.(json.Number)
	if !ok {
		return false
	}
	s, neg := strings.CutPrefix(string(n), "-")
	if neg != negative {
		return false
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return false
		}
		s, exp = s[:i], e
	}
	whole, frac, _ := strings.Cut(s, ".")
	digits, point := whole+frac, len(whole)+exp // the point stands before digits[point]
	trimmed := strings.TrimLeft(digits, "0")
	point -= len(digits) - len(trimmed)
	return strings.TrimRight(trimmed, "0") == maxSafeIntegerDigits && point == len(maxSafeIntegerDigits)
}
