package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// sku.name must be one of Azure's deployment types; anything else (an
// account SKU such as S0, a typo) is refused before anything is written.
func TestAnUnknownSkuNameIsRefusedAsInvalidSku(t *testing.T) {
	for _, sku := range []string{"S0", "Premium", "GlobalStandrd", "Global Standard"} {
		e := newEnv(t, adminKey)
		w := e.do(http.MethodPut, "/deployments/mr", strings.Replace(defaultDeployment, "GlobalStandard", sku, 1))
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", sku, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidSKU, got.Error.Code)
		require.NotNil(t, got.Error.Param)
		assert.Equal(t, "sku.name", *got.Error.Param)
		assert.Contains(t, got.Error.Message, `"`+sku+`"`)
		assert.Contains(t, got.Error.Message, "DataZoneProvisionedManaged", "the message lists the valid names")
		assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/deployments/mr", "").Code, "nothing written")
	}
}

// Every deployment type Azure lists is taken, in any case, and stored as
// Azure spells it, so the list and the Claude SKU check see one spelling.
func TestSkuNamesAreTakenInAnyCaseAndStoredAsAzureSpellsThem(t *testing.T) {
	e := newEnv(t, adminKey)
	for _, sku := range manage.SKUNames {
		for _, spelling := range []string{sku, strings.ToLower(sku), strings.ToUpper(sku)} {
			w := e.do(http.MethodPut, "/deployments/mr", strings.Replace(defaultDeployment, "GlobalStandard", spelling, 1))
			require.Contains(t, []int{http.StatusCreated, http.StatusOK}, w.Code, "%s: %s", spelling, w.Body.String())
			assert.Equal(t, sku, decodeResource(t, w.Body).SKU.Name)
		}
	}
	e.mustPut("sonnet", strings.Replace(claudeDeployment, "GlobalStandard", "datazonestandard", 1))
	w := e.do(http.MethodPut, "/deployments/mr-dz", strings.Replace(routerWithClaude, "GlobalStandard", "DATAZONESTANDARD", 1))
	assert.Equal(t, http.StatusCreated, w.Code, "the Claude deployment has the router's SKU: %s", w.Body.String())
}

// A deployment stored before SKU names were checked keeps its name: it is
// served, listed, read and deleted as it is; only a PUT must name a valid
// SKU.
func TestADeploymentStoredWithAnUnknownSkuIsStillServed(t *testing.T) {
	e := newEnv(t, adminKey)
	old := strings.Replace(strings.Replace(defaultDeployment, "GlobalStandard", "Premium", 1), `"capacity": 10`, `"capacity": 30`, 1)
	_, err := e.store.PutDeployment(context.Background(), "old", json.RawMessage(old))
	require.NoError(t, err)

	d, err := e.source.Get(context.Background(), "old")
	require.NoError(t, err, "calls to it are routed")
	assert.Equal(t, 30, d.Capacity)
	w := e.do(http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"sku":{"name":"Premium","capacity":30}`)
	w = e.do(http.MethodGet, "/deployments/old", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "Premium", decodeResource(t, w.Body).SKU.Name)

	w = e.do(http.MethodPut, "/deployments/old", old)
	assert.Equal(t, http.StatusBadRequest, w.Code, "a PUT names a valid SKU: %s", w.Body.String())
	w = e.do(http.MethodDelete, "/deployments/old", "")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}
