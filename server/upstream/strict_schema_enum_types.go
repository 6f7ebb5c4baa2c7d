package upstream

import (
	"bytes"
	"encoding/json"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// Anthropic's SDKs send an enum or a const without its type: the
// TypeScript SDK's zodOutputFormat turns z.enum(["low", "high"]) into
// {"enum": ["low", "high"]} and z.literal("user") into {"const": "user"},
// which Anthropic takes. Strict mode wants exactly one of type, anyOf and
// $ref in every schema, so a zod schema with an enum, a literal or a
// discriminated union would reach an OpenAI model without strict, and the
// answer would not be held to it (messages.parse then fails on a value
// outside the enum). The type its values all have says no more than the
// values themselves, so it is written in before the strict check. So with
// z.union([z.string(), z.number()]), sent as {"type": ["string",
// "number"]}: strict mode takes a type list only as one type beside
// "null", and the same union as anyOf.

// strictSchema is the schema a Messages call's format or strict tool sends
// to a Chat Completions model and the rule of strict mode it breaks, ""
// when it goes strict: the schema as sent, or, where only its enums' and
// consts' missing types keep it out of strict mode, the schema with them
// written in (see typeEnums).
func strictSchema(raw json.RawMessage) (json.RawMessage, string) {
	problem := strictSchemaProblem(raw)
	if problem == "" {
		return raw, ""
	}
	typed, changed := typeEnums(raw, 0)
	if !changed {
		return raw, problem
	}
	if p := strictSchemaProblem(typed); p != "" {
		return raw, p
	}
	return typed, ""
}

// typeEnums returns schema with "type" written first into each schema of
// it (its properties, items, anyOf members and the root's definitions)
// that has an enum or a const and none of type, anyOf and $ref, where the
// values all have one JSON type (or one beside null: ["string", "null"]),
// and each bare list of types (splitTypeList) as an anyOf.
// Members keep their order: strict mode writes an answer's keys in the
// order of the schema's properties. changed is false when there was no
// such schema; the copy is then not made. depth is the schema's level
// below the root: below strict mode's deepest a schema is outside it
// anyway, so the walk ends there, and a hostile schema nested thousands of
// levels deep costs a few passes over it, not one a level.
func typeEnums(schema []byte, depth int) (out []byte, changed bool) {
	if depth > strictMaxDepth {
		return schema, false
	}
	obj, ok := jsonscan.ParseObject(schema)
	if !ok {
		return schema, false
	}
	if split, ok := splitTypeList(obj); ok {
		return split, true
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if t := enumType(obj); t != "" {
		b.WriteString(`"type":` + t)
		changed = true
	}
	for _, m := range obj {
		v := m.Value
		var c bool
		switch {
		case jsonscan.KeyIs(m.Key, "items"):
			v, c = typeEnums(v, depth+1)
		case jsonscan.KeyIs(m.Key, "anyOf"):
			v, c = typeEnumsEach(v, false, depth+1)
		case jsonscan.KeyIs(m.Key, "properties"), jsonscan.KeyIs(m.Key, "$defs"), jsonscan.KeyIs(m.Key, "definitions"):
			v, c = typeEnumsEach(v, true, depth+1)
		}
		changed = changed || c
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.Write(m.Key)
		b.WriteString(`":`)
		b.Write(v)
	}
	b.WriteByte('}')
	if !changed {
		return schema, false
	}
	return b.Bytes(), true
}

// typeEnumsEach is typeEnums of each schema in a list (anyOf) or, named,
// an object of them (properties, definitions), each depth levels below
// the root.
func typeEnumsEach(raw []byte, named bool, depth int) ([]byte, bool) {
	var b bytes.Buffer
	changed := false
	add := func(key, v []byte) {
		v, c := typeEnums(v, depth)
		changed = changed || c
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		if key != nil {
			b.WriteByte('"')
			b.Write(key)
			b.WriteString(`":`)
		}
		b.Write(v)
	}
	var ok bool
	if named {
		b.WriteByte('{')
		ok = jsonscan.EachMember(raw, func(key, v []byte) bool { add(key, v); return true })
		b.WriteByte('}')
	} else {
		b.WriteByte('[')
		ok = jsonscan.EachElement(raw, func(v []byte) bool { add(nil, v); return true })
		b.WriteByte(']')
	}
	if !ok || !changed {
		return raw, false
	}
	return b.Bytes(), true
}

// enumType is the type, as JSON, that a schema with an enum or a const
// and none of type, anyOf and $ref has by its values; "" for any other
// schema, or values of more than one type besides null, or objects or
// arrays (whose own schemas strict mode would want).
func enumType(obj jsonscan.Object) string {
	if obj.Get("type") != nil || obj.Get("anyOf") != nil || obj.Get("$ref") != nil {
		return ""
	}
	var values [][]byte
	if e := obj.Get("enum"); e != nil {
		var ok bool
		if values, ok = jsonscan.Elements(e); !ok || len(values) == 0 {
			return ""
		}
	}
	if c := obj.Get("const"); c != nil {
		values = append(values, c)
	}
	kind, null := "", false
	for _, v := range values {
		if len(v) == 0 {
			return ""
		}
		var k string
		switch v[0] {
		case '"':
			k = "string"
		case 't', 'f':
			k = "boolean"
		case 'n':
			null = true
			continue
		case '{', '[':
			return ""
		default:
			k = "integer"
			if bytes.ContainsAny(v, ".eE") {
				k = "number"
			}
		}
		switch {
		case kind == "" || kind == k:
			kind = k
		case kind == "integer" && k == "number", kind == "number" && k == "integer":
			kind = "number"
		default:
			return ""
		}
	}
	switch {
	case len(values) == 0:
		return ""
	case kind == "":
		return `"null"`
	case null:
		return `["` + kind + `","null"]`
	}
	return `"` + kind + `"`
}

// splitTypeList is a schema that is only a list of types (a title and a
// description beside it) as an anyOf of one schema per type, where strict
// mode would not take the list: more than one type besides "null".
func splitTypeList(obj jsonscan.Object) ([]byte, bool) {
	types, ok := jsonscan.Elements(obj.Get("type"))
	if !ok || len(types) < 2 || len(types) == 2 && (string(types[0]) == `"null"` || string(types[1]) == `"null"`) {
		return nil, false
	}
	for _, m := range obj {
		if !jsonscan.KeyIs(m.Key, "type") && !jsonscan.KeyIs(m.Key, "title") && !jsonscan.KeyIs(m.Key, "description") {
			return nil, false
		}
	}
	var b bytes.Buffer
	b.WriteString(`{"anyOf":[`)
	for i, t := range types {
		if len(t) == 0 || t[0] != '"' {
			return nil, false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":`)
		b.Write(t)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	for _, m := range obj {
		if !jsonscan.KeyIs(m.Key, "type") {
			b.WriteString(`,"`)
			b.Write(m.Key)
			b.WriteString(`":`)
			b.Write(m.Value)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), true
}
