package upstream

import (
	"strconv"
	"strings"
)

// zod-to-json-schema writes a schema met a second time as a $ref to where
// it was first written ("#/properties/billing/properties/address"), not
// to a definition, and Claude takes $refs to the root's definitions only.
// A $ref alone in its schema means just the schema it points to, so
// without strict such a $ref is replaced by a copy of that schema: the
// same answers, written out. Only a target with no such $ref inside it is
// copied (so a copy is never of a schema being copied: no recursion, no
// chains), and the copies together are at most as large as the schema
// sent, so that a few bytes of $refs cannot grow into a schema of
// gigabytes. Any other $ref stays as written, for the check to name.

// claudeInlinePointerRefs replaces each lone $ref in root that points
// somewhere other than one of the root's definitions with a copy of what
// it points to, where claudeInlinePointerRefs may (above), reporting
// whether it replaced any.
func claudeInlinePointerRefs(root *jsonTree) bool {
	var refs []*jsonTree
	budget := collectPointerRefs(root, &refs)
	// Targets are found before any $ref is replaced: a target holds no
	// $ref that is replaced, so none changes under a later copy. Each is
	// measured once, however many $refs point to it, and each wide
	// object is indexed once, however many $refs point into it: a
	// request of a few MB could otherwise cost the product of the two.
	type measured struct {
		size    int
		hasRefs bool
	}
	targets := map[*jsonTree]measured{}
	r := pointerResolver{root: root}
	changed := false
	for _, ref := range refs {
		target := r.resolve(ref.members[0].value.scalar.(string))
		if target == nil || !target.isObject {
			continue
		}
		m, seen := targets[target]
		if !seen {
			var inside []*jsonTree
			m.size = collectPointerRefs(target, &inside)
			m.hasRefs = len(inside) > 0
			targets[target] = m
		}
		if m.hasRefs || m.size > budget {
			continue
		}
		budget -= m.size
		ref.members = copyJSONTree(target).members
		changed = true
	}
	return changed
}

// collectPointerRefs appends to refs the schemas in n that are a lone
// $ref to a JSON pointer ("#/...") that does not name a root definition,
// returning how many values n holds.
func collectPointerRefs(n *jsonTree, refs *[]*jsonTree) int {
	size := 1
	switch {
	case n.isObject:
		if len(n.members) == 1 && n.members[0].key == "$ref" {
			if p, ok := n.members[0].value.scalar.(string); ok && strings.HasPrefix(p, "#/") && !isRootDefinitionRef(p) {
				*refs = append(*refs, n)
			}
		}
		for _, m := range n.members {
			size += collectPointerRefs(m.value, refs)
		}
	case n.isArray:
		for _, v := range n.items {
			size += collectPointerRefs(v, refs)
		}
	}
	return size
}

// isRootDefinitionRef reports whether $ref p names a root definition
// ("#/$defs/name", "#/definitions/name"), which Claude takes as written.
func isRootDefinitionRef(p string) bool {
	for _, k := range strictDefs {
		if name, ok := strings.CutPrefix(p, "#/"+k+"/"); ok && !strings.Contains(name, "/") {
			return true
		}
	}
	return false
}

// pointerUnescaper reads a JSON pointer's escapes of "/" and "~".
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// pointerResolver finds what JSON pointers name in root, each object of
// more than a few members looked up through an index made the first time
// a pointer passes through it.
type pointerResolver struct {
	root    *jsonTree
	indexes map[*jsonTree]map[string]*jsonTree
}

// resolve is the value the JSON pointer p ("#/a/0/b~1c") names, nil where
// it names none or is written with %-escapes, which this does not read.
func (r *pointerResolver) resolve(p string) *jsonTree {
	if strings.Contains(p, "%") {
		return nil
	}
	n := r.root
	for _, token := range strings.Split(strings.TrimPrefix(p, "#/"), "/") {
		token = pointerUnescaper.Replace(token)
		switch {
		case n.isObject:
			n = r.member(n, token)
		case n.isArray:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(n.items) || strconv.Itoa(i) != token {
				return nil
			}
			n = n.items[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// member is object n's member key, nil when absent.
func (r *pointerResolver) member(n *jsonTree, key string) *jsonTree {
	const scanned = 16
	if len(n.members) <= scanned {
		return n.get(key)
	}
	index, ok := r.indexes[n]
	if !ok {
		index = make(map[string]*jsonTree, len(n.members))
		for _, m := range n.members {
			index[m.key] = m.value
		}
		if r.indexes == nil {
			r.indexes = map[*jsonTree]map[string]*jsonTree{}
		}
		r.indexes[n] = index
	}
	return index[key]
}

// copyJSONTree is a deep copy of n.
func copyJSONTree(n *jsonTree) *jsonTree {
	c := &jsonTree{isObject: n.isObject, isArray: n.isArray, scalar: n.scalar}
	if n.isObject {
		c.members = make([]jsonTreeMember, len(n.members))
		for i, m := range n.members {
			c.members[i] = jsonTreeMember{key: m.key, value: copyJSONTree(m.value)}
		}
	}
	if n.isArray {
		c.items = make([]*jsonTree, len(n.items))
		for i, v := range n.items {
			c.items[i] = copyJSONTree(v)
		}
	}
	return c
}
