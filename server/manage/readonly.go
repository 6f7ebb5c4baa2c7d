package manage

import (
	"encoding/json"
	"slices"

	"github.com/modelrouter/modelrouter/router"
)

// Members that Azure's deployments carry only in its answers, by the
// object that holds them: readOnly in the Microsoft.CognitiveServices REST
// specification (2025-10-01-preview: Deployment.systemData,
// DeploymentProperties' provisioningState, rateLimits, callRateLimit,
// capabilities and dynamicThrottlingEnabled, DeploymentModel's
// callRateLimit), and currentCapacity, which its GET returns beside the
// sku.capacity a PUT sets. A client that GETs a deployment from Azure,
// changes it and PUTs it back sends them; the gateway has none of them
// to set, so they are dropped before the body is read strictly. id, type,
// etag, name and provisioningState are Resource's own (accepted and
// ignored there). A member a client can set, misspelt or not, is still
// refused.
var (
	readOnlyTop        = []string{"systemData"}
	readOnlyProperties = []string{"provisioningState", "rateLimits", "callRateLimit", "capabilities", "dynamicThrottlingEnabled", "currentCapacity"}
	readOnlyModel      = []string{"callRateLimit"}
)

// dropReadOnly returns body without the read-only members above, or body
// itself when it has none (or is not a JSON object: decodeStrict words
// that error).
func dropReadOnly(body []byte) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil || top == nil {
		return body
	}
	changed := dropMembers(top, readOnlyTop)
	if pkey, props, ok := object(top, "properties"); ok {
		dropped := dropMembers(props, readOnlyProperties)
		if mkey, model, ok := object(props, "model"); ok && dropMembers(model, readOnlyModel) {
			props[mkey], dropped = encode(model), true
		}
		if dropped {
			top[pkey], changed = encode(props), true
		}
	}
	if !changed {
		return body
	}
	return encode(top)
}

// dropMembers deletes from obj the members named in names, in any case
// (encoding/json matches a member's name so), and reports whether it
// deleted any.
func dropMembers(obj map[string]json.RawMessage, names []string) bool {
	dropped := false
	for k := range obj {
		if slices.ContainsFunc(names, func(n string) bool { return router.FoldName(n) == router.FoldName(k) }) {
			delete(obj, k)
			dropped = true
		}
	}
	return dropped
}

// object is obj's member name, in any case (the exact spelling first), as
// the key it has, when it is a JSON object.
func object(obj map[string]json.RawMessage, name string) (string, map[string]json.RawMessage, bool) {
	key, found := name, false
	if _, found = obj[name]; !found {
		for k := range obj {
			// The least such key, so a body that spells it twice
			// is read the same way each time.
			if router.FoldName(k) == router.FoldName(name) && (!found || k < key) {
				key, found = k, true
			}
		}
	}
	var out map[string]json.RawMessage
	if !found || json.Unmarshal(obj[key], &out) != nil || out == nil {
		return "", nil, false
	}
	return key, out, true
}

// encode writes members read from JSON back as JSON. json.Marshal
// cannot fail on them: each value is one that json.Unmarshal took.
func encode(v map[string]json.RawMessage) json.RawMessage {
	out, _ := json.Marshal(v)
	return out
}
