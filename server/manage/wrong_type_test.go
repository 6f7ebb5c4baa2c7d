package manage_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A member of the wrong type is named by its path in the body and in
// param, with the JSON type it takes, as the gateway's API names one: the
// client wrote JSON, so Go's struct and type names say nothing to it.
func TestAMemberOfTheWrongTypeIsNamedWithTheTypeItTakes(t *testing.T) {
	e := newEnv(t, adminKey)
	for body, want := range map[string]struct{ param, message string }{
		`{"properties": {"model": "gpt-4.1"}}`:                          {"properties.model", "properties.model must be an object"},
		`{"properties": {"routing": {"mode": 5}}}`:                      {"properties.routing.mode", "properties.routing.mode must be a string"},
		`{"properties": {"routing": {"models": "gpt-4.1"}}}`:            {"properties.routing.models", "properties.routing.models must be an array"},
		`{"properties": {"routing": {"models": ["gpt-4.1"]}}}`:          {"properties.routing.models", "properties.routing.models must be an array, each item an object, not a string"},
		`{"properties": {"model": {"format": "OpenAI", "version": 1}}}`: {"properties.model.version", "properties.model.version must be a string"},
		`{"sku": {"name": 5, "capacity": 10}}`:                          {"sku.name", "sku.name must be a string"},
		`{"sku": []}`:                                                   {"sku", "sku must be an object"},
		`{"name": 5}`:                                                   {"name", "name must be a string"},
	} {
		w := e.do(http.MethodPut, "/deployments/typed", body)
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", body, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, "InvalidRequestContent", got.Error.Code, body)
		if assert.NotNil(t, got.Error.Param, body) {
			assert.Equal(t, want.param, *got.Error.Param, body)
		}
		assert.Contains(t, got.Error.Message, want.message, body)
		assert.NotContains(t, got.Error.Message, "Go ", body)
	}
}

// A body that is JSON but no object says so, in JSON's words.
func TestABodyThatIsNotAnObjectIsRefusedInJSONsWords(t *testing.T) {
	e := newEnv(t, adminKey)
	for body, kind := range map[string]string{`[]`: "an array", `"model-router"`: "a string", `5`: "a number"} {
		w := e.do(http.MethodPut, "/deployments/typed", body)
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", body, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, "InvalidRequestContent", got.Error.Code, body)
		assert.Contains(t, got.Error.Message, "must be a JSON object (a deployment), not "+kind, body)
		assert.NotContains(t, got.Error.Message, "Go ", body)
	}
}
