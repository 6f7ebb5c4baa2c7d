package upstream

import "slices"

// invopop/jsonschema's Reflector (which openai-go's examples use) writes a
// Go struct, by default, as a root that is only a $ref to its definition:
// {"$schema": ..., "$id": ..., "$ref": "#/$defs/Order", "$defs": {...}}.
// Claude's structured outputs need an object schema at the root, so
// without strict such a root is written as the definition it names, its
// definitions kept beside it: the same answers, written out.

// claudeRootRefKeys are what a root that is only a $ref may hold beside
// it to be written out: its definitions, and what claudeWithinSubset
// leaves out of a root anyway.
var claudeRootRefKeys = append([]string{"$ref"}, append(slices.Clone(strictDefs), claudeRootAnnotations...)...)

// claudeInlineRootRef replaces root, where it is only a $ref to one of its
// definitions (claudeRootRefKeys), with a copy of that definition beside
// root's other members, reporting whether it did.
func claudeInlineRootRef(root *jsonTree) bool {
	ref := root.get("$ref")
	if ref == nil {
		return false
	}
	p, isString := ref.scalar.(string)
	if !isString || !isRootDefinitionRef(p) {
		return false
	}
	for _, m := range root.members {
		if !slices.Contains(claudeRootRefKeys, m.key) {
			return false
		}
	}
	target := (&pointerResolver{root: root}).resolve(p)
	if target == nil || !target.isObject {
		return false
	}
	for _, m := range target.members {
		if slices.Contains(claudeRootRefKeys, m.key) {
			return false // a definition that is a $ref itself, or holds definitions: left as written
		}
	}
	members := copyJSONTree(target).members
	for _, m := range root.members {
		if m.key != "$ref" {
			members = append(members, m)
		}
	}
	root.members = members
	return true
}
