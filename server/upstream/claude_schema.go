package upstream

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Anthropic's structured outputs (output_config.format and a tool's
// "strict": true) take only the subset of JSON Schema its guide lists
// under "JSON Schema limitations" (as read in 2026), and refuse any other
// schema with a 400, which does not fail over. As strictSchemaProblem does
// for OpenAI's strict mode, the check here admits only what that list
// names: a schema it passes is one Claude takes; anything it does not name
// (minLength, maximum, oneOf, $comment, ...) is treated as refused. Unlike
// OpenAI's strict mode, a property may be left out of "required".

// Claude's limits on a request's strict schemas (its output format and its
// strict tools' input schemas together).
const (
	claudeMaxStrictTools = 20 // tools with "strict": true
	claudeMaxOptional    = 24 // properties not in their object's "required"
	claudeMaxUnions      = 16 // schemas with "anyOf" or a list of types
)

// claudeAnyKeywords are the keywords any schema may have; the others
// belong to one type (claudeTypeKeywords) and need it among the schema's
// types. The root may also have its definitions (strictDefs).
var claudeAnyKeywords = []string{"type", "enum", "const", "anyOf", "allOf", "$ref", "description", "title", "default"}

// claudeTextKeywords are those of claudeAnyKeywords Anthropic takes only
// as strings: a description or title of another JSON type is refused with
// a 400.
var claudeTextKeywords = []string{"description", "title"}

// claudeRootAnnotations are what the root may have that name the schema
// and its dialect (openai-go's invopop/jsonschema writes both, Zod's
// converters $schema). They do not constrain the answer, and Anthropic's
// guide does not list them, so the translation leaves them out of what it
// sends (claudeWithoutRootAnnotations) rather than leaving Claude out: a
// root's $id changes nothing for the local $refs the check admits.
var claudeRootAnnotations = []string{"$schema", "$id"}

var claudeTypeKeywords = map[string]string{
	"properties": "object", "required": "object", "additionalProperties": "object",
	"items": "array", "minItems": "array",
	"format": "string", "pattern": "string",
}

var claudeTypes = []string{"object", "array", "string", "number", "integer", "boolean", "null"}

// claudeFormats are the string formats Claude's structured outputs take.
var claudeFormats = []string{"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}

// claudePatternRefused are what a "pattern" may not use: Claude takes
// simple regular expressions, without backreferences, lookaround or word
// boundaries.
var claudePatternRefused = []struct{ re, what string }{
	{`(?=`, "a lookahead"}, {`(?!`, "a lookahead"}, {`(?<=`, "a lookbehind"}, {`(?<!`, "a lookbehind"},
	{`\b`, `a word boundary (\b)`}, {`\B`, `a word boundary (\B)`}, {`\k<`, "a backreference"},
}

// claudeSchemaCount is what Claude limits across a request's strict
// schemas, counted in one of them.
type claudeSchemaCount struct{ optional, unions int }

func (c claudeSchemaCount) plus(d claudeSchemaCount) claudeSchemaCount {
	return claudeSchemaCount{c.optional + d.optional, c.unions + d.unions}
}

// overLimit names the request-wide limit c is over, "" for none.
func (c claudeSchemaCount) overLimit() string {
	switch {
	case c.optional > claudeMaxOptional:
		return fmt.Sprintf("the strict schemas have %d optional properties, over Claude's %d in a request", c.optional, claudeMaxOptional)
	case c.unions > claudeMaxUnions:
		return fmt.Sprintf(`the strict schemas have %d schemas with "anyOf" or a list of types, over Claude's %d in a request`, c.unions, claudeMaxUnions)
	}
	return ""
}

// claudeSchemaCheck names the first rule of Claude's structured outputs
// the schema breaks and where ($ the root, as JSONPath writes it), ""
// when Claude takes it, alone in a request; the order is strictSchemaProblem's:
// the root's keywords, its properties, then its definitions, each in name
// order, then the limits on the whole. It also says what the schema counts
// toward the request's limits.
func claudeSchemaCheck(raw json.RawMessage) (claudeSchemaCount, string) {
	root, defs, why := readSchemaRoot(raw, "Claude's structured outputs require")
	if why != "" {
		return claudeSchemaCount{}, why
	}
	c := claudeCheck{defs: defs}
	if why := c.schema(root, claudeRoot, true); why != "" {
		return claudeSchemaCount{}, why
	}
	for _, k := range strictDefs {
		for _, name := range slices.Sorted(maps.Keys(c.defs[k])) {
			c.in = jsonPath(k, name)
			at := &claudeAt{up: &claudeAt{up: claudeRoot, name: k, named: true}, name: name, named: true}
			if why := c.schema(c.defs[k][name], at, false); why != "" {
				return claudeSchemaCount{}, why
			}
		}
	}
	if why := c.recursion(); why != "" {
		return claudeSchemaCount{}, why
	}
	return c.count, c.count.overLimit()
}

// claudeAt is where a schema is, written as JSONPath only when a problem
// is named: a path built at each level would cost the square of the
// nesting (a 300 KB request nests schemas 5,000 deep).
type claudeAt struct {
	up    *claudeAt
	step  string // added to up's path as written: ".items", ".anyOf[2]"
	name  string // then, where named, a member's name (jsonPath)
	named bool
}

var claudeRoot = &claudeAt{step: "$"}

func (a *claudeAt) String() string {
	if a.up == nil {
		return a.step
	}
	if a.named {
		return jsonPath(a.up.String()+a.step, a.name)
	}
	return a.up.String() + a.step
}

// claudeCheck walks one schema, counting toward the request's limits and
// noting each definition's $refs, so that recursion is found once the
// walk is done.
type claudeCheck struct {
	defs  map[string]map[string]any // by keyword, from strictDefs
	count claudeSchemaCount
	refs  map[string][]string // the $refs met inside each definition, by its pointer
	in    string              // the pointer of the definition being walked, "" at the root
}

// schema checks v, the schema at path, and the schemas inside it.
func (c *claudeCheck) schema(v any, path *claudeAt, root bool) string {
	s, ok := v.(map[string]any)
	if !ok {
		return path.String() + " is not a schema (a JSON object)"
	}
	types, why := claudeSchemaTypes(s)
	if why != "" {
		return path.String() + " " + why
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		switch {
		case slices.Contains(claudeTextKeywords, k):
			if _, isString := s[k].(string); !isString {
				return fmt.Sprintf("%s has a %q that is not a string, which Claude's structured outputs do not support", path, k)
			}
		case slices.Contains(claudeAnyKeywords, k), root && slices.Contains(strictDefs, k):
		case root && slices.Contains(claudeRootAnnotations, k):
			if _, isString := s[k].(string); !isString {
				return fmt.Sprintf("%s has %q that is not a string", path, k)
			}
		case claudeTypeKeywords[k] == "":
			return fmt.Sprintf("%s uses %q, which Claude's structured outputs do not support", path, k)
		case !slices.Contains(types, claudeTypeKeywords[k]):
			return fmt.Sprintf("%s uses %q without type %s, which Claude's structured outputs do not support", path, k, claudeTypeKeywords[k])
		}
	}
	if _, ok := s["anyOf"]; ok || len(types) > 1 {
		c.count.unions++
	}
	for _, k := range []string{"enum", "const"} {
		if why := claudeValues(s, k, path); why != "" {
			return why
		}
	}
	if why := claudeTypeless(s, types); why != "" {
		return path.String() + " " + why
	}
	if ref, ok := s["$ref"]; ok {
		if why := c.ref(ref, path); why != "" {
			return why
		}
	}
	for _, k := range []string{"anyOf", "allOf"} {
		if why := c.members(s, k, path); why != "" {
			return why
		}
	}
	if slices.Contains(types, "object") {
		if why := c.object(s, path); why != "" {
			return why
		}
	}
	if slices.Contains(types, "array") {
		if why := c.array(s, path); why != "" {
			return why
		}
	}
	return claudeString(s, path)
}

// claudeSchemaTypes is the schema's types (none when it has no "type"), or
// why its "type" is not one Claude takes, said of the schema.
func claudeSchemaTypes(s map[string]any) ([]string, string) {
	t, ok := s["type"]
	if !ok {
		return nil, ""
	}
	list, isList := t.([]any)
	if !isList {
		list = []any{t}
	}
	var out []string
	for _, v := range list {
		name, _ := v.(string)
		if !slices.Contains(claudeTypes, name) || slices.Contains(out, name) {
			written, _ := json.Marshal(t)
			return nil, fmt.Sprintf("has type %s, which Claude's structured outputs do not support", written)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, `has an empty list of types, which Claude's structured outputs do not support`
	}
	return out, ""
}

// claudeShapeKeywords are those of which a schema needs one: Anthropic
// refuses a schema with none ({}, or one with only a description or a
// const) with a 400, "Empty schema that accepts any JSON value is not
// supported" or "Schema type is missing", and its SDKs refuse it before
// sending ("Schema must have a 'type', 'enum', 'anyOf', 'oneOf', or
// 'allOf' field"; a $ref stands for the schema it names).
var claudeShapeKeywords = []string{"type", "enum", "anyOf", "allOf", "$ref"}

// claudeTypeless says why schema s (of types) is one Claude refuses for
// having no shape (claudeShapeKeywords), "" where it has one.
func claudeTypeless(s map[string]any, types []string) string {
	if len(types) > 0 {
		return ""
	}
	for _, k := range claudeShapeKeywords {
		if _, ok := s[k]; ok {
			return ""
		}
	}
	if _, ok := s["const"]; ok {
		return `has a "const" without "type", which Claude's structured outputs do not support`
	}
	return `has no "type" (nor "enum", "anyOf", "allOf" or "$ref"): a schema that accepts any JSON value, which Claude's structured outputs do not support`
}

// claudeValues checks an enum (a list of strings, numbers, booleans and
// nulls) or a const (one of them).
func claudeValues(s map[string]any, k string, path *claudeAt) string {
	v, ok := s[k]
	if !ok {
		return ""
	}
	values := []any{v}
	if k == "enum" {
		values, _ = v.([]any)
		if len(values) == 0 {
			return path.String() + ` has an "enum" that is not a list of values`
		}
	}
	for _, x := range values {
		switch x.(type) {
		case string, json.Number, bool, nil:
		default:
			return fmt.Sprintf("%s has an %q value that is an object or an array, which Claude's structured outputs do not support", path, k)
		}
	}
	return ""
}

// members checks anyOf's or allOf's list of schemas; an allOf may not
// hold a $ref.
func (c *claudeCheck) members(s map[string]any, k string, path *claudeAt) string {
	v, ok := s[k]
	if !ok {
		return ""
	}
	list, _ := v.([]any)
	if len(list) == 0 {
		return fmt.Sprintf("%s has an %q that is not a list of schemas", path, k)
	}
	if _, ref := s["$ref"]; ref && k == "allOf" {
		return path.String() + ` uses "allOf" beside "$ref", which Claude's structured outputs do not support`
	}
	for i, m := range list {
		at := &claudeAt{up: path, step: fmt.Sprintf(".%s[%d]", k, i)}
		if ms, _ := m.(map[string]any); k == "allOf" && ms != nil && ms["$ref"] != nil {
			return at.String() + ` uses "$ref" inside "allOf", which Claude's structured outputs do not support`
		}
		if why := c.schema(m, at, false); why != "" {
			return why
		}
	}
	return ""
}

// object checks an object schema: closed, its "required" naming its
// properties; a property left out of "required" is optional, and counted.
func (c *claudeCheck) object(s map[string]any, path *claudeAt) string {
	if s["additionalProperties"] != false {
		return path.String() + ` is an object without "additionalProperties": false, which Claude's structured outputs require`
	}
	props := map[string]any{}
	if v, ok := s["properties"]; ok {
		if props, ok = v.(map[string]any); !ok {
			return path.String() + ` has "properties" that is not an object of schemas`
		}
	}
	required := map[string]bool{}
	if v, ok := s["required"]; ok {
		list, isList := v.([]any)
		if !isList {
			return path.String() + ` has "required" that is not a list of property names`
		}
		for _, r := range list {
			name, _ := r.(string)
			if _, found := props[name]; !found {
				return fmt.Sprintf(`%s lists %q in "required" without such a property, which Claude's structured outputs do not support`, path, name)
			}
			required[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if !required[name] {
			c.count.optional++
		}
		if why := c.schema(props[name], &claudeAt{up: path, step: ".properties", name: name, named: true}, false); why != "" {
			return why
		}
	}
	return ""
}

// array checks an array schema's items (one schema, not a tuple) and
// minItems (0 or 1).
func (c *claudeCheck) array(s map[string]any, path *claudeAt) string {
	if v, ok := s["minItems"]; ok {
		if n, _ := v.(json.Number); n != "0" && n != "1" {
			written, _ := json.Marshal(v)
			return fmt.Sprintf(`%s has "minItems" %s, which Claude's structured outputs support only as 0 or 1`, path, written)
		}
	}
	if items, ok := s["items"]; ok {
		return c.schema(items, &claudeAt{up: path, step: ".items"}, false)
	}
	return ""
}

// claudeString checks a string schema's format and pattern.
func claudeString(s map[string]any, path *claudeAt) string {
	if f, ok := s["format"]; ok {
		if name, _ := f.(string); !slices.Contains(claudeFormats, name) {
			written, _ := json.Marshal(f)
			return fmt.Sprintf("%s uses format %s, which Claude's structured outputs do not support", path, written)
		}
	}
	v, ok := s["pattern"]
	if !ok {
		return ""
	}
	p, isString := v.(string)
	if !isString {
		return path.String() + ` has a "pattern" that is not a string`
	}
	if what := claudePatternRefusal(p); what != "" {
		return fmt.Sprintf(`%s has a "pattern" with %s, which Claude's structured outputs do not support`, path, what)
	}
	return ""
}

// claudePatternRefusal names what in the regular expression p Claude's
// structured outputs do not take, "" for nothing.
func claudePatternRefusal(p string) string {
	for _, r := range claudePatternRefused {
		if claudePatternHas(p, r.re) {
			return r.what
		}
	}
	for d := '1'; d <= '9'; d++ {
		if claudePatternHas(p, `\`+string(d)) {
			return "a backreference"
		}
	}
	return ""
}

// claudePatternHas reports whether the regular expression p has the
// construct x outside an escape: `\\b` is a backslash and a b.
func claudePatternHas(p, x string) bool {
	for i := 0; i < len(p); i++ {
		if strings.HasPrefix(p[i:], x) {
			return true
		}
		if p[i] == '\\' {
			i++ // the escaped character is a literal, not the start of x
		}
	}
	return false
}

// ref checks a $ref: to one of the root's definitions (not the root
// itself, which would make the schema recursive), and notes it for
// recursion.
func (c *claudeCheck) ref(v any, path *claudeAt) string {
	ref, _ := v.(string)
	if k, name, ok := definedRef(c.defs, ref); ok {
		if c.refs == nil {
			c.refs = map[string][]string{}
		}
		c.refs[c.in] = append(c.refs[c.in], jsonPath(k, name))
		return ""
	}
	written, _ := json.Marshal(v)
	if ref == "#" {
		return fmt.Sprintf(`%s has "$ref" %s, which makes the schema recursive, which Claude's structured outputs do not support`, path, written)
	}
	return fmt.Sprintf(`%s has "$ref" %s, which is not one of the root's definitions, as Claude's structured outputs require`, path, written)
}

// recursion names a definition that reaches itself through $refs, "" for
// none.
func (c *claudeCheck) recursion() string {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var visit func(def string) string
	visit = func(def string) string {
		switch state[def] {
		case open:
			return fmt.Sprintf(`$.%s reaches itself through "$ref", which makes the schema recursive, which Claude's structured outputs do not support`, def)
		case done:
			return ""
		}
		state[def] = open
		for _, next := range c.refs[def] {
			if why := visit(next); why != "" {
				return why
			}
		}
		state[def] = done
		return ""
	}
	for _, def := range slices.Sorted(maps.Keys(c.refs)) {
		if def == "" {
			continue
		}
		if why := visit(def); why != "" {
			return why
		}
	}
	return ""
}

// claudeWithoutRootAnnotations is schema, which claudeSchemaProblem
// passed, less its root's $schema and $id (claudeRootAnnotations); the
// schema's bytes as sent where it has neither.
func claudeWithoutRootAnnotations(schema json.RawMessage) json.RawMessage {
	var root map[string]json.RawMessage
	if json.Unmarshal(schema, &root) != nil {
		return schema
	}
	n := len(root)
	for _, k := range claudeRootAnnotations {
		delete(root, k)
	}
	if len(root) == n {
		return schema
	}
	out, err := json.Marshal(root)
	if err != nil {
		return schema
	}
	return out
}
