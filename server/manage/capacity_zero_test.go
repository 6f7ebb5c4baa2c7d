package manage_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Capacity runs from 1 to 1,000,000: an explicit sku.capacity 0 is out of
// range and refused (400 InvalidSku), not taken for "no capacity given",
// which gets the default.
func TestCapacityZeroIsInvalidSku(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/zero-cap", `{"sku":{"name":"GlobalStandard","capacity":0},
	  "properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "InvalidSku")
}

func TestCapacityLeftOutGetsTheDefault(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/default-cap", `{"sku":{"name":"GlobalStandard"},
	  "properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"capacity":10`)
	w = e.do(http.MethodPut, "/deployments/unknown-sku-field", `{"sku":{"name":"GlobalStandard","tier":"x"},
	  "properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	assert.Equal(t, http.StatusBadRequest, w.Code, "an unknown sku field is refused: %s", w.Body.String())
}

// A capacity the client gives is the deployment's, not the default.
func TestCapacityGivenIsKept(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/given-cap", `{"sku":{"name":"GlobalStandard","capacity":25},
	  "properties":{"model":{"format":"OpenAI","name":"model-router","version":"2025-11-18"}}}`)
	assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"capacity":25`)
}
