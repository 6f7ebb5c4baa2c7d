package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Claude model may be deployed more than once (one deployment per SKU,
// say). A router is accepted when any deployment of each Claude model it
// lists has the router's SKU, whatever the deployments' names; refused,
// the message names every deployment of the model.
func TestRouterSKUCheckedAgainstEveryDeploymentOfTheModel(t *testing.T) {
	dataZone := strings.Replace(claudeDeployment, "GlobalStandard", "DataZoneStandard", 1)
	for _, names := range [][2]string{{"sonnet-a", "sonnet-z"}, {"sonnet-z", "sonnet-a"}} {
		e := newEnv(t, adminKey)
		e.mustPut(names[0], claudeDeployment) // GlobalStandard
		e.mustPut(names[1], dataZone)

		w := e.do(http.MethodPut, "/deployments/mr", routerWithClaude) // GlobalStandard
		assert.Equal(t, http.StatusCreated, w.Code, "%s deploys it with the router's sku; got %s", names[0], w.Body.String())
		w = e.do(http.MethodPut, "/deployments/mr-dz", strings.Replace(routerWithClaude, "GlobalStandard", "DataZoneStandard", 1))
		assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())

		w = e.do(http.MethodPut, "/deployments/mr-std", strings.Replace(routerWithClaude, "GlobalStandard", "Standard", 1))
		require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		msg := decodeErr(t, w).Error.Message
		assert.Contains(t, msg, `"`+names[0]+`" with sku "GlobalStandard"`)
		assert.Contains(t, msg, `"`+names[1]+`" with sku "DataZoneStandard"`)
	}
}

// A deployment of a Claude model may be deleted or replaced while another
// deployment of the model keeps the SKU of every router that lists it;
// the last one with a router's SKU may not.
func TestModelDeploymentInUseWhileNoOtherHasTheRoutersSKU(t *testing.T) {
	dataZone := strings.Replace(claudeDeployment, "GlobalStandard", "DataZoneStandard", 1)
	e := newEnv(t, adminKey)
	e.mustPut("sonnet-a", claudeDeployment) // GlobalStandard
	e.mustPut("sonnet-z", dataZone)
	e.mustPut("mr", routerWithClaude) // GlobalStandard

	w := e.do(http.MethodPut, "/deployments/sonnet-a", dataZone)
	assert.Equal(t, http.StatusConflict, w.Code, "mr would keep no GlobalStandard deployment: %s", w.Body.String())
	w = e.do(http.MethodDelete, "/deployments/sonnet-a", "")
	require.Equal(t, http.StatusConflict, w.Code, w.Body.String())
	assert.Contains(t, decodeErr(t, w).Error.Message, "mr")

	w = e.do(http.MethodDelete, "/deployments/sonnet-z", "")
	assert.Equal(t, http.StatusOK, w.Code, "no router uses DataZoneStandard: %s", w.Body.String())

	e.mustPut("sonnet-b", claudeDeployment) // a second GlobalStandard one
	w = e.do(http.MethodDelete, "/deployments/sonnet-a", "")
	assert.Equal(t, http.StatusOK, w.Code, "sonnet-b keeps mr's sku: %s", w.Body.String())
	w = e.do(http.MethodDelete, "/deployments/sonnet-b", "")
	assert.Equal(t, http.StatusConflict, w.Code, "the last one: %s", w.Body.String())
}
