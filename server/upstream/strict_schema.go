package upstream

import "encoding/json"

// strictSchema reports whether OpenAI's strict mode takes a schema: an
// object at the root, and every object schema in it closed
// (additionalProperties false) with every property required. Anthropic's
// SDKs close every object but leave optional properties out of required.
func strictSchema(raw json.RawMessage) bool {
	var root map[string]any
	if json.Unmarshal(raw, &root) != nil || root["type"] != "object" {
		return false
	}
	return strictNode(root)
}

// strictNode checks one schema and the schemas inside it.
func strictNode(s map[string]any) bool {
	props, hasProps := s["properties"].(map[string]any)
	if hasProps || s["type"] == "object" {
		required, _ := s["required"].([]any)
		if s["additionalProperties"] != false || len(required) != len(props) {
			return false
		}
		for _, r := range required {
			if name, _ := r.(string); props[name] == nil {
				return false
			}
		}
	}
	var subs []any
	for _, k := range []string{"properties", "$defs", "definitions"} {
		if m, ok := s[k].(map[string]any); ok {
			for _, v := range m {
				subs = append(subs, v)
			}
		}
	}
	for _, k := range []string{"anyOf", "allOf", "oneOf", "prefixItems"} {
		if l, ok := s[k].([]any); ok {
			subs = append(subs, l...)
		}
	}
	subs = append(subs, s["items"])
	for _, v := range subs {
		if m, ok := v.(map[string]any); ok && !strictNode(m) {
			return false
		}
	}
	return true
}
