package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
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

// strictSchemaProblem names the first rule of OpenAI's strict mode the
// schema breaks and where, "" when strict mode takes it. Anthropic's
// structured outputs take more (optional properties, which Anthropic's
// SDKs leave out of required, for one). It is what a client reads
// of why a model was left out, so it names one rule, at the path of the
// schema that breaks it ($ the root, as JSONPath writes it), found in an
// order that does not change: the root's keywords, its properties, then
// its definitions, each in name order, then the limits on the whole.
func strictSchemaProblem(raw json.RawMessage) string {
	root, defs, why := readSchemaRoot(raw, "strict mode requires")
	if why != "" {
		return why
	}
	c := strictCheck{defs: defs}
	if why := c.schema(root, 0, "$"); why != "" {
		return why
	}
	for _, k := range strictDefs {
		for _, name := range slices.Sorted(maps.Keys(c.defs[k])) {
			c.chars += utf8.RuneCountInString(name)
			if why := c.schema(c.defs[k][name], 1, jsonPath(jsonPath("$", k), name)); why != "" {
				return why
			}
		}
	}
	switch {
	case c.properties > strictMaxProperties:
		return fmt.Sprintf("the schema has %d object properties, over strict mode's %d", c.properties, strictMaxProperties)
	case c.enumValues > strictMaxEnumValues:
		return fmt.Sprintf("the schema has %d enum values, over strict mode's %d", c.enumValues, strictMaxEnumValues)
	case c.chars > strictMaxChars:
		return fmt.Sprintf("the schema has %d characters of property and definition names and enum and const values, over strict mode's %d", c.chars, strictMaxChars)
	}
	return ""
}

// readSchemaRoot reads a schema's root, numbers as written (enum and const
// values count as written), and its definitions by keyword (strictDefs);
// else why it is no object schema with objects of definitions, requires
// naming who requires one at the root.
func readSchemaRoot(raw json.RawMessage, requires string) (map[string]any, map[string]map[string]any, string) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var root map[string]any
	if d.Decode(&root) != nil || root == nil {
		return nil, nil, "the schema is not a JSON object"
	}
	if root["type"] != "object" {
		return nil, nil, "$ is not an object schema, which " + requires + " at the root"
	}
	defs := map[string]map[string]any{}
	for _, k := range strictDefs {
		if v, ok := root[k]; ok {
			if defs[k], ok = v.(map[string]any); !ok {
				return nil, nil, jsonPath("$", k) + " is not an object of definitions"
			}
		}
	}
	return root, defs, ""
}

// definedRef is the definition a $ref names among defs (by keyword, from
// strictDefs): its keyword and name, ok false for any other $ref.
func definedRef(defs map[string]map[string]any, ref string) (k, name string, ok bool) {
	for _, k := range strictDefs {
		if name, ok := strings.CutPrefix(ref, "#/"+k+"/"); ok {
			// A JSON pointer escapes "/" and "~" in a name.
			name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
			if _, found := defs[k][name]; found {
				return k, name, true
			}
		}
	}
	return "", "", false
}

// jsonPath is the path of member name of the value at path: .name, or
// ["name"] for a name that is not an identifier.
func jsonPath(path, name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || r == '$' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			plain = false
			break
		}
	}
	if plain {
		return path + "." + name
	}
	quoted, _ := json.Marshal(name)
	return path + "[" + string(quoted) + "]"
}

// strictCheck walks one schema, adding up what strict mode limits in all.
type strictCheck struct {
	defs                          map[string]map[string]any // by keyword, from strictDefs
	properties, enumValues, chars int
}

// schema checks v, the schema at path depth levels below the root, and the
// schemas inside it. A $ref is not followed (its target is checked where
// it stands), so a recursive schema ends.
func (c *strictCheck) schema(v any, depth int, path string) string {
	if depth > strictMaxDepth {
		return fmt.Sprintf("%s is nested more than %d levels below the root, over strict mode's limit", path, strictMaxDepth)
	}
	s, ok := v.(map[string]any)
	if !ok {
		return path + " is not a schema (a JSON object)"
	}
	var own []string // the keywords only some kinds of schema take
	for _, k := range slices.Sorted(maps.Keys(s)) {
		switch {
		case k == "title" || k == "description", depth == 0 && (k == "$schema" || k == "$id" || slices.Contains(strictDefs, k)):
		case !strictKnown[k]:
			return fmt.Sprintf("%s uses %q, which strict mode does not support", path, k)
		default:
			own = append(own, k)
		}
	}
	kind, why := strictKind(s)
	if why != "" {
		return path + " " + why
	}
	if kind == "$ref" && len(s) > 1 {
		return path + ` has keywords beside "$ref", which strict mode does not support`
	}
	for _, k := range own {
		if slices.Contains(strictKeywords[kind], k) {
			continue
		}
		if kind == "anyOf" {
			return fmt.Sprintf(`%s uses %q beside "anyOf", which strict mode does not support`, path, k)
		}
		return fmt.Sprintf("%s uses %q with type %s, which strict mode does not support", path, k, kind)
	}
	switch kind {
	case "anyOf":
		members, _ := s["anyOf"].([]any)
		if len(members) == 0 {
			return path + ` has an "anyOf" that is not a list of schemas`
		}
		for i, m := range members {
			if why := c.schema(m, depth+1, fmt.Sprintf("%s.anyOf[%d]", path, i)); why != "" {
				return why
			}
		}
	case "$ref":
		return c.ref(s["$ref"], path)
	case "object":
		return c.object(s, depth, path)
	case "array":
		if s["items"] == nil {
			return path + ` is an array without "items", which strict mode requires`
		}
		return c.schema(s["items"], depth+1, path+".items")
	default:
		return c.values(s, kind, path)
	}
	return ""
}

// strictKind is what kind of schema s is, by its one of type, anyOf and
// $ref: the type (the one beside "null" in a nullable type such as
// ["string", "null"]), "anyOf" or "$ref"; else why s is none of them,
// said of s.
func strictKind(s map[string]any) (string, string) {
	var kinds []string
	for _, k := range []string{"type", "anyOf", "$ref"} {
		if _, ok := s[k]; ok {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return "", `does not have exactly one of "type", "anyOf" and "$ref", as strict mode requires`
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
		written, _ := json.Marshal(s["type"])
		return "", fmt.Sprintf("has type %s, which strict mode does not support", written)
	}
	return t, ""
}

// object checks an object schema: closed, every property required.
func (c *strictCheck) object(s map[string]any, depth int, path string) string {
	if s["additionalProperties"] != false {
		return path + ` is an object without "additionalProperties": false, which strict mode requires`
	}
	props, ok := s["properties"].(map[string]any)
	if !ok {
		return path + ` is an object without "properties", which strict mode requires`
	}
	required, _ := s["required"].([]any)
	names := slices.Sorted(maps.Keys(props))
	listed := make([]string, 0, len(required))
	for _, r := range required {
		name, _ := r.(string)
		listed = append(listed, name)
	}
	slices.Sort(listed)
	for _, name := range names {
		if !slices.Contains(listed, name) {
			return jsonPath(path+".properties", name) + ` is not in "required", which strict mode requires of every property`
		}
	}
	for _, name := range listed {
		if _, ok := props[name]; !ok {
			return fmt.Sprintf(`%s lists %q in "required" without such a property, which strict mode does not support`, path, name)
		}
	}
	for _, name := range names {
		c.properties++
		c.chars += utf8.RuneCountInString(name)
		if why := c.schema(props[name], depth+1, jsonPath(path+".properties", name)); why != "" {
			return why
		}
	}
	return ""
}

// values checks a scalar schema's enum, const and format, and counts them.
func (c *strictCheck) values(s map[string]any, kind, path string) string {
	if f, ok := s["format"]; ok {
		if name, _ := f.(string); !slices.Contains(strictFormats, name) {
			written, _ := json.Marshal(f)
			return fmt.Sprintf("%s uses format %s, which strict mode does not support", path, written)
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
		return path + ` has an "enum" that is not a list of values`
	}
	n := 0
	for _, v := range values {
		n += valueChars(v)
	}
	c.enumValues += len(values)
	c.chars += n
	if kind == "string" && len(values) > strictLongEnum && n > strictLongEnumChars {
		return fmt.Sprintf("%s is a string enum of %d values with %d characters, over strict mode's %d for more than %d values",
			path, len(values), n, strictLongEnumChars, strictLongEnum)
	}
	return ""
}

// ref checks a $ref, at path: to the root ("#") or to one of the root's
// definitions.
func (c *strictCheck) ref(v any, path string) string {
	ref, _ := v.(string)
	if ref == "#" {
		return ""
	}
	if _, _, ok := definedRef(c.defs, ref); ok {
		return ""
	}
	written, _ := json.Marshal(v)
	return fmt.Sprintf(`%s has "$ref" %s, which is neither "#" nor one of the root's definitions`, path, written)
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
