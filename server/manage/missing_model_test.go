package manage_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// A body that leaves out the model, or a subset item that names none, is
// told so by the member it left out, not as a model "/" of version "".
func TestAMissingModelIsNamedByItsMember(t *testing.T) {
	tests := []struct {
		name, body, code, says string
	}{
		{"no properties.model", `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {}}`,
			manage.CodeInvalidModel, "properties.model names no model"},
		{"an empty body object", `{}`, manage.CodeInvalidModel, "properties.model names no model"},
		{"an empty subset item", routerBody("2025-11-18", `{"models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}, {}]}`),
			manage.CodeInvalidSubset, "properties.routing.models[1] names no model"},
		{"a null subset item", routerBody("2025-11-18", `{"models": [null]}`),
			manage.CodeInvalidSubset, "properties.routing.models[0] names no model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, adminKey)
			w := e.do(http.MethodPut, "/deployments/mr", tt.body)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			got := decodeErr(t, w)
			assert.Equal(t, tt.code, got.Error.Code)
			assert.Contains(t, got.Error.Message, tt.says)
			assert.NotContains(t, got.Error.Message, `model / version ""`)
		})
	}
}
