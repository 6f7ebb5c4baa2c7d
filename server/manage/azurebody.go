package manage

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"

	"github.com/modelrouter/modelrouter/router"
)

// readAzureBody readies a PUT body for the strict decoder, in one pass
// over its objects, reading it as Azure Resource Manager reads a PUT:
//
//   - a member set to null, at any depth of objects (those in arrays
//     too, as a subset's models), is the member left unset, and is dropped: Azure's GET bodies, az and Terraform carry null
//     for each member they leave unset (sku.tier, properties.model.publisher,
//     properties.raiPolicyName), and the strict decoder would refuse those
//     it does not know;
//   - the members only Azure's answers carry are dropped (readOnlyMembers);
//   - one of unserved's members set to other than the value it accepts is
//     refused, saying why.
//
// Any other member the gateway does not know, set to a value, is left for
// decodeStrict to refuse, so a misspelt setting is never dropped silently.
// body itself is returned when nothing was dropped, or when it is not one
// JSON object (decodeStrict words that error).
func readAzureBody(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	// Numbers go back as written: parseCapacity reads sku.capacity's text.
	dec.UseNumber()
	var top map[string]any
	if dec.Decode(&top) != nil || top == nil {
		return body, nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return body, nil
	}
	changed, err := readMembers(top, "")
	if err != nil || !changed {
		return body, err
	}
	// json.Marshal cannot fail on what json.Unmarshal built.
	out, _ := json.Marshal(top)
	return out, nil
}

// readMembers does readAzureBody's work on obj, whose members' paths
// start with path (folded, "" at the top), and reports whether it dropped
// any. Members are read in order of name, so a body that sets two
// unserved members is refused for the same one each time.
func readMembers(obj map[string]any, path string) (bool, error) {
	changed := false
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v, at := obj[k], path+router.FoldName(k)
		if v == nil || slices.Contains(readOnlyMembers, at) {
			delete(obj, k)
			changed = true
			continue
		}
		if err := refuseUnserved(at, v); err != nil {
			return false, err
		}
		dropped, err := readValue(v, at)
		if err != nil {
			return false, err
		}
		changed = changed || dropped
	}
	return changed, nil
}

// readValue does readMembers' work on the objects in v, the value of the
// member at path: v itself, or each of v's items when it is an array. An
// item's members have paths of their own ("[]" after the array's), which
// name none of readOnlyMembers' or unserved's; a null item is no member
// and is left for decodeStrict.
func readValue(v any, path string) (bool, error) {
	switch v := v.(type) {
	case map[string]any:
		return readMembers(v, path+".")
	case []any:
		changed := false
		for _, item := range v {
			dropped, err := readValue(item, path+"[]")
			if err != nil {
				return false, err
			}
			changed = changed || dropped
		}
		return changed, nil
	}
	return false, nil
}
