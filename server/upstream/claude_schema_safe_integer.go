package upstream

import (
	"bytes"
	"encoding/json"
	"slices"
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

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER, 2^53 - 1.
const maxSafeInteger = 1<<53 - 1

// safeIntegerDigits is what the bounds' JSON holds; a schema without it
// is sent on without being read.
var safeIntegerDigits = []byte("9007199254740991")

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
// all integers does not) or sends an answer to then instead of else.
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
		for k, bound := range map[string]float64{"minimum": -maxSafeInteger, "maximum": maxSafeInteger} {
			if v := n.get(k); v != nil && isNumber(v, bound) {
				n.del(k)
				dropped = true
			}
		}
	}
	inner := func(v *jsonTree) {
		if v != nil && dropSafeIntegerBounds(v) {
			dropped = true
		}
	}
	for _, k := range subschemaOne {
		inner(n.get(k))
	}
	for _, k := range subschemaList {
		if list := n.get(k); list != nil && list.isArray {
			for _, v := range list.items {
				inner(v)
			}
		}
	}
	for _, k := range subschemaMap {
		if m := n.get(k); m != nil && m.isObject {
			for _, member := range m.members {
				inner(member.value)
			}
		}
	}
	return dropped
}

// isNumber reports whether v is the JSON number x.
func isNumber(v *jsonTree, x float64) bool {
	n, ok := v.scalar.(json.Number)
	if !ok {
		return false
	}
	f, err := n.Float64()
	return err == nil && f == x
}
