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
// copied (so a copy is never of a schema being copied: no recursion), and
// the copies together hold at most claudeInlineBudget values, so that a few
// bytes of $refs cannot grow into a schema of gigabytes. Any other $ref
// stays as written, for the check to name.

// claudeInlineMinBudget is how many values the copies may hold together
// whatever the schema's size: zod-to-json-schema writes an object used
// three times (an invoice's from, to and billTo) once and $refs to it
// twice, copies twice the size of the one written, more than the rest of
// the schema. A schema written by hand or by a converter holds some
// thousands of values at most; this many copied is a few MB at worst, and
// past Claude's grammar limits long before.
const claudeInlineMinBudget = 1 << 14

// claudeInlineBudget is how many values the copies may hold together in a
// schema of size values: as many as it holds, and at least
// claudeInlineMinBudget.
func claudeInlineBudget(size int) int { return max(size, claudeInlineMinBudget) }

// claudeInlinePointerRefs replaces each lone $ref in root that points
// somewhere other than one of the root's definitions with a copy of what
// it points to, where the rules above allow (a target with no such $ref
// in it, within the budget), reporting whether it replaced any.
func claudeInlinePointerRefs(root *jsonTree) bool {
	var refs []*jsonTree
	budget := claudeInlineBudget(collectPointerRefs(root, &refs))
	// The $refs are replaced in the order written, each target found and
	// measured when first met: one that held a $ref replaced before it
	// (zod-to-json-schema writes a schema before the $refs to it) is
	// copied with its copies, one that still holds a $ref never is, so no
	// target changes once measured. Each is measured once, however many
	// $refs point to it, and each wide object is indexed once, however
	// many $refs point into it: a request of a few MB could otherwise
	// cost the product of the two.
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
// returning how many values n holds; with refs nil it only counts
// (jsonTreeSize).
func collectPointerRefs(n *jsonTree, refs *[]*jsonTree) int {
	size := 1
	switch {
	case n.isObject:
		if refs != nil && len(n.members) == 1 && n.members[0].key == "$ref" {
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
