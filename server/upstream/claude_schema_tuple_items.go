package upstream

import (
	"encoding/json"
	"strconv"
)

// A tuple's schemas move into its description (claudeMoveConstraints),
// and an array left with no "items" lets its items be any JSON value,
// which Anthropic refuses for a schema ("Empty schema that accepts any
// JSON value is not supported") and may refuse here too. So the moved-out
// tuple gets an "items" that every item it allows meets: one of its
// schemas (anyOf them, each brought within, the same ones once), and the
// schema of the items past them where it leaves those open. Each item is
// held to some schema of the tuple, not to its own place's: the place
// stays a rule in the description. A tuple that lets some item be any
// value (a place or the items past it unconstrained, as prefixItems
// alone leaves them unless maxItems ends the array there) gets no items:
// none would allow all it does.

// claudeTupleItems is the items schema for tuple n (before its tuple
// keywords move), nil where there is none (above) or the copies it takes
// would outgrow budget: copies nested in copies could otherwise grow a
// schema nested n tuples deep to the square of its size.
func claudeTupleItems(n *jsonTree, budget *int) *jsonTree {
	var places []*jsonTree
	var rest *jsonTree
	if p := n.get("prefixItems"); p != nil {
		if !p.isArray {
			return nil
		}
		places, rest = p.items, n.get("items")
	} else {
		places, rest = n.get("items").items, n.get("additionalItems")
	}
	var alternatives []*jsonTree
	for _, s := range places {
		if s.isObject {
			alternatives = append(alternatives, s)
		} else if s.scalar != false { // false: no item can stand there
			return nil
		}
	}
	if !claudeTupleEndsAt(n, len(places)) {
		switch {
		case rest != nil && rest.isObject:
			alternatives = append(alternatives, rest)
		case rest == nil || rest.scalar != false:
			return nil
		}
	}
	size := 0
	for _, s := range alternatives {
		size += jsonTreeSize(s)
	}
	if len(alternatives) == 0 || size > *budget {
		return nil
	}
	*budget -= size
	var distinct []*jsonTree
	seen := map[string]bool{}
	for _, s := range alternatives {
		c := copyJSONTree(s)
		claudeBringWithin(c, false, true, budget)
		if written := string(c.appendTo(nil)); !seen[written] {
			seen[written] = true
			distinct = append(distinct, c)
		}
	}
	if len(distinct) == 1 {
		return distinct[0]
	}
	return &jsonTree{isObject: true, members: []jsonTreeMember{{key: "anyOf", value: &jsonTree{isArray: true, items: distinct}}}}
}

// claudeTupleEndsAt reports whether n's maxItems allows no more than
// places items.
func claudeTupleEndsAt(n *jsonTree, places int) bool {
	m := n.get("maxItems")
	if m == nil {
		return false
	}
	max, isNumber := m.scalar.(json.Number)
	if !isNumber {
		return false
	}
	i, err := strconv.ParseInt(string(max), 10, 64)
	if err != nil {
		f, err := strconv.ParseFloat(string(max), 64)
		return err == nil && f <= float64(places)
	}
	return i <= int64(places)
}

// jsonTreeSize is how many values n holds, n among them.
func jsonTreeSize(n *jsonTree) int { return collectPointerRefs(n, nil) }
