package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// OpenAI's strict mode (Structured Outputs) takes only the subset of JSON
// Schema its guide lists under "Supported schemas" (as read in 2026) and
// refuses any other schema with a 400, which does not fail over. The check
// here admits only what that list names, so a schema it passes is one
// OpenAI takes; anything it does not name (oneOf, default, minLength, ...)
// is treated as refused, since a wrongly strict schema costs the call while
// a wrongly non-strict one only loosens it.

// Strict mode's limits on a schema's size.
const (
	strictMaxDepth      = 10      // levels of nesting below the root
	strictMaxProperties = 5000    // object properties, all objects together
	strictMaxChars      = 120_000 // property and definition names, enum and const values
	strictMaxEnumValues = 1000    // enum values, all enums together
	strictLongEnum      = 250     // a string enum with more values than this...
	strictLongEnumChars = 15_000  // ...has at most this many characters in all
)

// strictKeywords are the keywords strict mode takes in each kind of
// schema: one with a type (the type's own constraints), one with anyOf or
// one with $ref. A schema with a type or anyOf may also have a title and a
// description; one with $ref has nothing beside it (OpenAI's Python SDK
// inlines the target of such a $ref before it sends a strict schema). The
// root may also have $schema, $id and its definitions: $defs, or
// definitions, the older name, which OpenAI's SDKs send as they are.
// allOf, oneOf, not, if/then/else, dependentRequired, dependentSchemas,
// patternProperties and every other keyword are outside strict mode.
var strictKeywords = map[string][]string{
	"object":  {"type", "properties", "required", "additionalProperties"},
	"array":   {"type", "items", "minItems", "maxItems"},
	"string":  {"type", "enum", "const", "pattern", "format"},
	"number":  {"type", "enum", "const", "multipleOf", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"},
	"integer": {"type", "enum", "const", "multipleOf", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"},
	"boolean": {"type", "enum", "const"},
	"null":    {"type", "enum", "const"},
	"anyOf":   {"anyOf"},
	"$ref":    {"$ref"},
}

// strictKnown holds every keyword of strictKeywords.
var strictKnown = func() map[string]bool {
	out := map[string]bool{}
	for _, ks := range strictKeywords {
		for _, k := range ks {
			out[k] = true
		}
	}
	return out
}()

// strictDefs are the root keywords that hold definitions.
var strictDefs = []string{"$defs", "definitions"}

// strictFormats are the string formats strict mode takes.
var strictFormats = []string{"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}

// strictSchema reports whether OpenAI's strict mode takes a schema.
// Anthropic's structured outputs take more (optional properties, which
// Anthropic's SDKs leave out of required, for one).
func strictSchema(raw json.RawMessage) bool { return strictSchemaProblem(raw) == "" }

// strictSchemaProblem names the first rule of strict mode the schema
// breaks, "" when it keeps them all.
func strictSchemaProblem(raw json.RawMessage) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // enum and const numbers count as written
	var root map[string]any
	if d.Decode(&root) != nil || root == nil {
		return "not a JSON object"
	}
	if root["type"] != "object" {
		return "the root is not an object schema"
	}
	c := strictCheck{defs: map[string]map[string]any{}}
	for _, k := range strictDefs {
		if defs, ok := root[k]; ok {
			if c.defs[k], ok = defs.(map[string]any); !ok {
				return k + " is not an object"
			}
		}
	}
	if why := c.schema(root, 0); why != "" {
		return why
	}
	for _, k := range strictDefs {
		for _, name := range slices.Sorted(maps.Keys(c.defs[k])) {
			c.chars += utf8.RuneCountInString(name)
			if why := c.schema(c.defs[k][name], 1); why != "" {
				return k + "/" + name + ": " + why
			}
		}
	}
	switch {
	case c.properties > strictMaxProperties:
		return fmt.Sprintf("%d object properties, over %d", c.properties, strictMaxProperties)
	case c.enumValues > strictMaxEnumValues:
		return fmt.Sprintf("%d enum values, over %d", c.enumValues, strictMaxEnumValues)
	case c.chars > strictMaxChars:
		return fmt.Sprintf("%d characters of names and values, over %d", c.chars, strictMaxChars)
	}
	return ""
}

// strictCheck walks one schema, adding up what strict mode limits in all.
type strictCheck struct {
	defs                          map[string]map[string]any // by keyword, from strictDefs
	properties, enumValues, chars int
}

// schema checks v, a schema depth levels below the root, and the schemas
// inside it. A $ref is not followed (its target is checked where it
// stands), so a recursive schema ends.
func (c *strictCheck) schema(v any, depth int) string {
	if depth > strictMaxDepth {
		return fmt.Sprintf("nested more than %d levels deep", strictMaxDepth)
	}
	s, ok := v.(map[string]any)
	if !ok {
		return "a schema that is not an object"
	}
	var own []string // the keywords only some kinds of schema take
	for _, k := range slices.Sorted(maps.Keys(s)) {
		switch {
		case k == "title" || k == "description", depth == 0 && (k == "$schema" || k == "$id" || slices.Contains(strictDefs, k)):
		case !strictKnown[k]:
			return "keyword " + k
		default:
			own = append(own, k)
		}
	}
	kind, why := strictKind(s)
	if why != "" {
		return why
	}
	if kind == "$ref" && len(s) > 1 {
		return "$ref beside other keywords"
	}
	for _, k := range own {
		if !slices.Contains(strictKeywords[kind], k) {
			return fmt.Sprintf("keyword %s with %s", k, kind)
		}
	}
	switch kind {
	case "anyOf":
		members, _ := s["anyOf"].([]any)
		if len(members) == 0 {
			return "anyOf is not a list of schemas"
		}
		for _, m := range members {
			if why := c.schema(m, depth+1); why != "" {
				return why
			}
		}
	case "$ref":
		return c.ref(s["$ref"])
	case "object":
		return c.object(s, depth)
	case "array":
		if s["items"] == nil {
			return "an array without items"
		}
		return c.schema(s["items"], depth+1)
	default:
		return c.values(s, kind)
	}
	return ""
}

// strictKind is what kind of schema s is, by its one of type, anyOf and
// $ref: the type (the one beside "null" in a nullable type such as
// ["string", "null"]), "anyOf" or "$ref".
func strictKind(s map[string]any) (string, string) {
	var kinds []string
	for _, k := range []string{"type", "anyOf", "$ref"} {
		if _, ok := s[k]; ok {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return "", "a schema without exactly one of type, anyOf and $ref"
	}
	if kinds[0] != "type" {
		return kinds[0], ""
	}
	t, _ := s["type"].(string)
	if list, ok := s["type"].([]any); ok && len(list) == 2 {
		a, _ := list[0].(string)
		b, _ := list[1].(string)
		switch {
		case a == "null" && b != "null":
			t = b
		case b == "null" && a != "null":
			t = a
		}
	}
	if _, ok := strictKeywords[t]; !ok || t == "anyOf" || t == "$ref" {
		return "", fmt.Sprintf("type %v", s["type"])
	}
	return t, ""
}

// object checks an object schema: closed, every property required.
func (c *strictCheck) object(s map[string]any, depth int) string {
	if s["additionalProperties"] != false {
		return "an object without additionalProperties false"
	}
	props, ok := s["properties"].(map[string]any)
	if !ok {
		return "an object without properties"
	}
	required, _ := s["required"].([]any)
	names := slices.Sorted(maps.Keys(props))
	listed := make([]string, 0, len(required))
	for _, r := range required {
		name, _ := r.(string)
		listed = append(listed, name)
	}
	slices.Sort(listed)
	if !slices.Equal(slices.Compact(listed), names) {
		return "an object whose required does not list exactly its properties"
	}
	for _, name := range names {
		c.properties++
		c.chars += utf8.RuneCountInString(name)
		if why := c.schema(props[name], depth+1); why != "" {
			return name + ": " + why
		}
	}
	return ""
}

// values checks a scalar schema's enum, const and format, and counts them.
func (c *strictCheck) values(s map[string]any, kind string) string {
	if f, ok := s["format"]; ok {
		if name, _ := f.(string); !slices.Contains(strictFormats, name) {
			return fmt.Sprintf("format %v", f)
		}
	}
	if v, ok := s["const"]; ok {
		c.chars += valueChars(v)
	}
	e, ok := s["enum"]
	if !ok {
		return ""
	}
	values, _ := e.([]any)
	if len(values) == 0 {
		return "enum is not a list of values"
	}
	n := 0
	for _, v := range values {
		n += valueChars(v)
	}
	c.enumValues += len(values)
	c.chars += n
	if kind == "string" && len(values) > strictLongEnum && n > strictLongEnumChars {
		return fmt.Sprintf("a string enum of %d values with %d characters, over %d", len(values), n, strictLongEnumChars)
	}
	return ""
}

// ref checks a $ref: to the root ("#") or to one of the root's
// definitions.
func (c *strictCheck) ref(v any) string {
	ref, _ := v.(string)
	if ref == "#" {
		return ""
	}
	for _, k := range strictDefs {
		if name, ok := strings.CutPrefix(ref, "#/"+k+"/"); ok {
			// A JSON pointer escapes "/" and "~" in a name.
			name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
			if _, found := c.defs[k][name]; found {
				return ""
			}
		}
	}
	return fmt.Sprintf("$ref %v is not # or one of the root's definitions", v)
}

// valueChars is how many characters an enum or const value counts for: a
// string's own, any other value's as written.
func valueChars(v any) int {
	if s, ok := v.(string); ok {
		return utf8.RuneCountInString(s)
	}
	b, _ := json.Marshal(v)
	return utf8.RuneCount(b)
}
