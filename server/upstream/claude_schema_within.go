package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// A json_schema format without "strict": true asks OpenAI to give the
// model the schema, not to hold it to it, and the schemas clients send
// that way (the Vercel AI SDK's, LangChain's) often have constraints
// Claude's structured outputs refuse, or objects left open by default.
// Anthropic's own SDKs bring such a schema within Claude's subset before
// sending it: claudeWithinSubset does the same, so that Claude is not left
// out of a call that never asked to be held to the schema's every rule.
// Only what keeps the answers the client allows is changed (none is
// forbidden; a oneOf as anyOf allows more): an object that names its
// properties but leaves additionalProperties unset is closed (its named
// properties can all still be written), each constraint Claude does not
// take (and a schema's examples) is moved into its schema's description,
// which the model still reads, a oneOf becomes an anyOf
// (claudeOneOfAsAnyOf), a const alone gets its value's type
// (claudeConstTyped), and a $ref alone is written out as what it names
// (claudeInlineRootRef, claudeInlinePointerRefs). An object left open on
// purpose (additionalProperties true or a schema: a map) or with no
// properties (free-form) is not closed, and stays outside the subset, as
// do recursion, any other $ref outside the root's definitions, and a
// boolean schema: true would become {}, which Anthropic's guide does not
// list and its SDKs refuse (a schema with neither a type nor
// alternatives).

// claudeMovedKeywords are the constraints moved into the description, in
// the order written there. minItems, pattern, format and items move only
// where Claude does not take them (claudeKeepsKeyword): Pydantic writes formats
// such as uuid4, int64 and binary, and examples from Field(examples=...).
// A tuple's schemas (prefixItems, or items written as a list, with
// additionalItems) move as a whole: the items schema beside prefixItems
// describes only the items past the tuple, and left alone it would hold
// every item to it; the tuple is given an items schema its items all
// meet instead (claudeTupleItems). not moves too; each of these only
// narrows what the rest of its schema allows, so moving it out forbids
// nothing. So does discriminator, which Pydantic writes beside the oneOf
// of a discriminated union: an OpenAPI annotation that JSON Schema does
// not read, so the anyOf that oneOf becomes holds the answer as it did.
var claudeMovedKeywords = []string{
	"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "uniqueItems",
	"prefixItems", "items", "additionalItems", "minProperties", "maxProperties", "not", "examples", "discriminator",
}

// claudeWithinSubset is schema brought within Claude's structured outputs
// as far as the answers it allows are kept; the bytes as sent where
// nothing needed to change or the schema is not a JSON object. Keys keep
// the client's order: it is the order Claude writes an answer's members
// in. A root's $schema and $id (strings) are left out, as
// claudeWithoutRootAnnotations leaves them out. The caller checks the
// result (claudeSchemaCheck): what could not be brought within is still
// outside.
func claudeWithinSubset(schema json.RawMessage) json.RawMessage {
	root, err := readJSONTree(schema)
	if err != nil || !root.isObject {
		return schema
	}
	inlined := claudeInlineRootRef(root)
	inlined = claudeInlinePointerRefs(root) || inlined
	budget := jsonTreeSize(root) // for the copies a tuple's items take
	if !claudeBringWithin(root, true, true, &budget) && !inlined {
		return schema
	}
	// What claudeWithoutRootAnnotations would leave out, left out here:
	// it would write the root's keys again in name order.
	for _, k := range claudeRootAnnotations {
		if v := root.get(k); v != nil {
			if _, isString := v.scalar.(string); isString {
				root.del(k)
			}
		}
	}
	return root.appendTo(nil)
}

// claudeBringWithin changes the schema n and the schemas inside it as
// claudeWithinSubset says, reporting whether it changed anything. closable
// is false where another schema also describes n's instance (a sibling in
// an allOf, a parent naming properties beside n's anyOf): closing n would
// forbid the properties that schema names, so n stays open, and outside.
// budget is what is left for the copies tuples' items take
// (claudeTupleItems).
func claudeBringWithin(n *jsonTree, root, closable bool, budget *int) bool {
	if !n.isObject {
		return false
	}
	changed := false
	inner := func(v *jsonTree, closable bool) {
		if v != nil && claudeBringWithin(v, false, closable, budget) {
			changed = true
		}
	}
	eachMember := func(v *jsonTree) {
		if v != nil && v.isObject {
			for _, m := range v.members {
				inner(m.value, true)
			}
		}
	}
	if root {
		for _, k := range strictDefs {
			eachMember(n.get(k))
		}
	}
	props := n.get("properties")
	eachMember(props)
	var tupleItems *jsonTree
	if !claudeIsTuple(n) {
		inner(n.get("items"), true)
	} else if slices.Contains(n.types(), "array") {
		tupleItems = claudeTupleItems(n, budget)
	}
	changed = claudeOneOfAsAnyOf(n) || changed
	changed = claudeConstTyped(n) || changed
	for _, k := range []string{"anyOf", "allOf"} {
		if list := n.get(k); list != nil && list.isArray {
			alone := props == nil && (k == "anyOf" || len(list.items) == 1)
			for _, v := range list.items {
				inner(v, alone)
			}
		}
	}
	types := n.types()
	composed := n.get("anyOf") != nil || n.get("allOf") != nil || n.get("$ref") != nil
	if closable && !composed && slices.Contains(types, "object") && n.get("additionalProperties") == nil &&
		props != nil && props.isObject && len(props.members) > 0 {
		n.members = append(n.members, jsonTreeMember{key: "additionalProperties", value: &jsonTree{scalar: false}})
		changed = true
	}
	changed = claudeMoveConstraints(n, types) || changed
	if tupleItems != nil && n.get("items") == nil && n.get("prefixItems") == nil { // moved out
		n.members = append(n.members, jsonTreeMember{key: "items", value: tupleItems})
	}
	return changed
}

// claudeOneOfAsAnyOf renames n's oneOf to anyOf, where it has no anyOf
// beside it, as Anthropic's SDKs do: Claude takes anyOf, not oneOf. The
// answers allowed only grow: those that match more than one alternative,
// which oneOf forbids.
func claudeOneOfAsAnyOf(n *jsonTree) bool {
	if n.get("anyOf") != nil {
		return false
	}
	for i, m := range n.members {
		if m.key == "oneOf" && m.value.isArray {
			n.members[i].key = "anyOf"
			return true
		}
	}
	return false
}

// claudeConstTyped gives a schema that has a const and nothing else
// Claude reads as its shape (claudeShapeKeywords) the type of its const's
// value, which Claude needs: the one value allowed is still allowed.
func claudeConstTyped(n *jsonTree) bool {
	for _, k := range claudeShapeKeywords {
		if n.get(k) != nil {
			return false
		}
	}
	for i, m := range n.members {
		if m.key != "const" {
			continue
		}
		var name string
		switch v := m.value.scalar.(type) {
		case string:
			name = "string"
		case bool:
			name = "boolean"
		case json.Number:
			name = "number"
			if !strings.ContainsAny(string(v), ".eE") {
				name = "integer"
			}
		case nil:
			if m.value.isObject || m.value.isArray {
				return false // Claude takes no such const: the check names it
			}
			name = "null"
		}
		typed := jsonTreeMember{key: "type", value: &jsonTree{scalar: name}}
		n.members = slices.Insert(n.members, i, typed)
		return true
	}
	return false
}

// claudeIsTuple reports whether array schema n describes its items by
// place: prefixItems, or items written as a list of schemas.
func claudeIsTuple(n *jsonTree) bool {
	items := n.get("items")
	return n.get("prefixItems") != nil || items != nil && items.isArray
}

// claudeMoveConstraints moves the constraints of schema n (of types) that
// Claude does not take into its description, written as Anthropic's SDKs
// write them: "{minLength: 1, maximum: 10}", after a blank line. A
// description that is not a string is left as it is, and the constraints
// with it (the check names them).
func claudeMoveConstraints(n *jsonTree, types []string) bool {
	desc := n.get("description")
	if desc != nil {
		if _, isString := desc.scalar.(string); !isString {
			return false
		}
	}
	var moved []string
	tuple := claudeIsTuple(n) // before its prefixItems moves
	for _, k := range claudeMovedKeywords {
		v := n.get(k)
		if v == nil || claudeKeepsKeyword(k, v, types, tuple) {
			continue
		}
		moved = append(moved, k+": "+string(v.appendTo(nil)))
		n.del(k)
	}
	if len(moved) == 0 {
		return false
	}
	written := "{" + strings.Join(moved, ", ") + "}"
	if desc == nil {
		n.members = append(n.members, jsonTreeMember{key: "description", value: &jsonTree{scalar: written}})
	} else if d := desc.scalar.(string); d == "" {
		desc.scalar = written
	} else {
		desc.scalar = d + "\n\n" + written
	}
	return true
}

// claudeKeepsKeyword reports whether Claude takes keyword k with value v
// in a schema of types: minItems 0 or 1 in an array schema, a pattern of
// a string schema without what Claude refuses in one, a format of a
// string schema among claudeFormats (a pattern or format that is not a
// string is no constraint to write down: the check refuses it), items
// where the schema is no tuple (every item is held to it).
func claudeKeepsKeyword(k string, v *jsonTree, types []string, tuple bool) bool {
	switch k {
	case "items":
		return !tuple
	case "format":
		f, isString := v.scalar.(string)
		return !isString || slices.Contains(types, "string") && slices.Contains(claudeFormats, f)
	case "minItems":
		n, _ := v.scalar.(json.Number)
		return slices.Contains(types, "array") && (n == "0" || n == "1")
	case "pattern":
		p, isString := v.scalar.(string)
		return !isString || slices.Contains(types, "string") && claudePatternRefusal(p) == ""
	}
	return false
}

// jsonTree is a JSON value with its objects' members in the order sent,
// read in one pass (a schema may nest thousands deep: reading each level's
// bytes again would cost the square of the nesting).
type jsonTree struct {
	isObject, isArray bool
	members           []jsonTreeMember // an object's
	items             []*jsonTree      // an array's
	scalar            any              // otherwise: string, json.Number, bool or nil; nil in an object or array
}

type jsonTreeMember struct {
	key   string
	value *jsonTree
}

// readJSONTree reads raw, one JSON value.
func readJSONTree(raw []byte) (*jsonTree, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	n, err := readJSONTreeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return n, nil
}

// maxJSONTreeDepth is encoding/json's own limit on nesting, which a
// request's body has passed; reading deeper would only grow the stack.
const maxJSONTreeDepth = 10000

func readJSONTreeValue(d *json.Decoder, depth int) (*jsonTree, error) {
	if depth > maxJSONTreeDepth {
		return nil, errors.New("JSON nested too deep")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		n := &jsonTree{isObject: true}
		var index map[string]int
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := readJSONTreeValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			index = n.set(k.(string), v, index)
		}
		_, err := d.Token() // '}'
		return n, err
	case json.Delim('['):
		n := &jsonTree{isArray: true}
		for d.More() {
			v, err := readJSONTreeValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
		_, err := d.Token() // ']'
		return n, err
	}
	return &jsonTree{scalar: tok}, nil
}

// set gives key the value v, the last of duplicates winning where the
// first stood, as encoding/json reads them. Past a few members it finds
// a key in index (made here, handed back to the next call): a scan of the
// members for each key would cost the square of an object's size, and an
// object may name a million properties.
func (n *jsonTree) set(key string, v *jsonTree, index map[string]int) map[string]int {
	const scanned = 16
	if index == nil && len(n.members) >= scanned {
		index = make(map[string]int, 2*len(n.members))
		for i, m := range n.members {
			index[m.key] = i
		}
	}
	if index != nil {
		if i, found := index[key]; found {
			n.members[i].value = v
			return index
		}
		index[key] = len(n.members)
	} else {
		for i := range n.members {
			if n.members[i].key == key {
				n.members[i].value = v
				return nil
			}
		}
	}
	n.members = append(n.members, jsonTreeMember{key: key, value: v})
	return index
}

// get is an object's member key, nil when absent.
func (n *jsonTree) get(key string) *jsonTree {
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

func (n *jsonTree) del(key string) {
	n.members = slices.DeleteFunc(n.members, func(m jsonTreeMember) bool { return m.key == key })
}

// types is a schema's "type" as a list of names (none when absent or not
// names).
func (n *jsonTree) types() []string {
	t := n.get("type")
	if t == nil {
		return nil
	}
	if name, ok := t.scalar.(string); ok {
		return []string{name}
	}
	var out []string
	for _, v := range t.items {
		if name, ok := v.scalar.(string); ok {
			out = append(out, name)
		}
	}
	return out
}

// appendTo appends n's JSON encoding to b, compact, without escaping
// what encoding/json escapes for HTML.
func (n *jsonTree) appendTo(b []byte) []byte {
	switch {
	case n.isObject:
		b = append(b, '{')
		for i, m := range n.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendMarshalled(b, m.key)
			b = append(b, ':')
			b = m.value.appendTo(b)
		}
		return append(b, '}')
	case n.isArray:
		b = append(b, '[')
		for i, v := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.appendTo(b)
		}
		return append(b, ']')
	}
	switch v := n.scalar.(type) {
	case string:
		return appendMarshalled(b, v)
	case json.Number:
		return append(b, v...)
	case bool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	}
	return append(b, "null"...)
}
