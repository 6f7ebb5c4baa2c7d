package upstream

import (
	"bytes"
	"encoding/json"
	"slices"
)

// A oneOf allows an answer that matches exactly one of its alternatives;
// Claude takes only anyOf, which also allows one that matches several.
// Where no answer can match two alternatives the two allow the same
// answers: a discriminated union, as Zod 4 writes z.discriminatedUnion
// (LangChain JS sends it so, strict), whose alternatives are objects that
// each require one property, the same in all, held to a string (a const,
// or an enum of one), a different one in each. Such a oneOf is sent to
// Claude as anyOf, strict or not; any other oneOf in a strict schema still
// leaves Claude out (a schema without strict has every oneOf sent as
// anyOf, claudeWithinSubset).

// claudeSameAnswers is schema written in what Claude's structured outputs
// take where that allows the same answers: without Zod's safe integer
// bounds (claudeWithoutSafeIntegerBounds) and with each discriminated
// union's oneOf as anyOf. The bytes as sent where nothing changed.
func claudeSameAnswers(schema json.RawMessage) json.RawMessage {
	return claudeDisjointOneOfsAsAnyOf(claudeWithoutSafeIntegerBounds(schema))
}

// claudeDisjointOneOfsAsAnyOf is schema with each discriminated union's
// oneOf, wherever a schema sits, written as anyOf.
func claudeDisjointOneOfsAsAnyOf(schema json.RawMessage) json.RawMessage {
	if !bytes.Contains(schema, []byte(`"oneOf"`)) {
		return schema
	}
	root, err := readJSONTree(schema)
	if err != nil || !root.isObject || !disjointOneOfsAsAnyOf(root) {
		return schema
	}
	return root.appendTo(nil)
}

// disjointOneOfsAsAnyOf writes the disjoint oneOf of schema n and of the
// schemas inside it (not of values: const, enum, default) as anyOf,
// reporting whether it wrote any.
func disjointOneOfsAsAnyOf(n *jsonTree) bool {
	if !n.isObject {
		return false
	}
	changed := claudeDisjointOneOfAsAnyOf(n)
	eachSubschema(n, func(v *jsonTree) {
		changed = disjointOneOfsAsAnyOf(v) || changed
	})
	return changed
}

// claudeDisjointOneOfAsAnyOf writes n's oneOf as anyOf where no answer can
// match two of its alternatives, reporting whether it did.
func claudeDisjointOneOfAsAnyOf(n *jsonTree) bool {
	list := n.get("oneOf")
	if list == nil || !list.isArray || len(list.items) < 2 || n.get("anyOf") != nil || !discriminated(list.items) {
		return false
	}
	return claudeOneOfAsAnyOf(n)
}

// discriminated reports whether one property, required by every one of
// alts, holds each to a string of its own.
func discriminated(alts []*jsonTree) bool {
	for _, name := range requiredNames(alts[0]) {
		seen := make(map[string]bool, len(alts))
		for _, a := range alts {
			v, ok := discriminatorValue(a, name)
			if !ok || seen[v] {
				break
			}
			seen[v] = true
		}
		if len(seen) == len(alts) {
			return true
		}
	}
	return false
}

// discriminatorValue is the one string object schema a holds its
// required property name to. a must allow objects alone: "properties" and
// "required" hold only an object, so a string, say, would match every
// alternative of another type as well.
func discriminatorValue(a *jsonTree, name string) (string, bool) {
	if !a.isObject || !slices.Equal(a.types(), []string{"object"}) || !slices.Contains(requiredNames(a), name) {
		return "", false
	}
	props := a.get("properties")
	if props == nil || !props.isObject {
		return "", false
	}
	p := props.get(name)
	if p == nil || !p.isObject {
		return "", false
	}
	if c := p.get("const"); c != nil {
		v, ok := c.scalar.(string)
		return v, ok
	}
	if e := p.get("enum"); e != nil && e.isArray && len(e.items) == 1 {
		v, ok := e.items[0].scalar.(string)
		return v, ok
	}
	return "", false
}

// requiredNames are object schema a's required property names.
func requiredNames(a *jsonTree) []string {
	r := a.get("required")
	if r == nil || !r.isArray {
		return nil
	}
	var out []string
	for _, v := range r.items {
		if s, ok := v.scalar.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
