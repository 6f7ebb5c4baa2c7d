package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// `deployments put --sku` sends the name as given: one Azure does not take
// fails with the server's 400 InvalidSku, which lists the valid names, and
// one in another case is stored as Azure spells it.
func TestDeploymentsPutReportsAnUnknownSku(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	cli := func(args ...string) (string, error) {
		stdout, _, err := runCmd(t, append([]string{"deployments"}, args...)...)
		return stdout, err
	}

	_, err := cli("put", "mr", "--sku", "S0")
	require.Error(t, err)
	assert.ErrorContains(t, err, `400 Bad Request (InvalidSku): unknown sku.name "S0"`)
	assert.ErrorContains(t, err, "GlobalStandard, GlobalProvisionedManaged")
	_, err = cli("get", "mr")
	assert.ErrorContains(t, err, "404", "nothing was written")

	out, err := cli("put", "mr", "--sku", "datazonestandard")
	require.NoError(t, err)
	assert.Contains(t, out, `"name": "DataZoneStandard"`)
}

// `deployments help` lists the SKU names `put --sku` takes, so that an
// admin need not send a wrong one to learn them.
func TestDeploymentsHelpListsTheSkuNames(t *testing.T) {
	usage, _, err := runCmd(t, "deployments", "help")
	require.NoError(t, err)
	for _, sku := range manage.SKUNames {
		assert.Contains(t, usage, sku)
	}
}
