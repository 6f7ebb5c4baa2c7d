package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/manage"
)

// `deployments list` on a 120-column terminal: names of the 64 characters
// a deployment name may have, Azure's longest SKU name, the largest
// capacity, and a router whose subset is every model of the latest
// version (its Claude models deployed first, as they must be). No line
// wraps, and every name, model ID, SKU and capacity can be read whole.
func TestDeploymentsListFitsA120ColumnTerminalWithTheLongestNames(t *testing.T) {
	cli := deploymentsCLI(t)
	name64 := func(prefix string) string {
		n := (prefix + "-eu-west-production-with-a-long-descriptive-name-for-the-operators")[:64]
		require.True(t, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`).MatchString(n), n)
		return n
	}
	const sku, capacity = "DataZoneProvisionedManaged", "1000000"
	cat, err := models.Catalog()
	require.NoError(t, err)
	latest, err := catalogVersion(cat, "")
	require.NoError(t, err)
	var ids, names []string
	for _, m := range latest.Models {
		ids = append(ids, m.ID)
		if m.RequiresDeployment {
			names = append(names, name64(m.Name))
			cli("put", names[len(names)-1], "--model", m.ID, "--sku", sku, "--capacity", capacity)
		}
	}
	names = append(names, name64("router-every-model"))
	cli("put", names[len(names)-1], "--mode", "quality", "--models", strings.Join(ids, ","), "--sku", sku, "--capacity", capacity)

	out := cli("list")
	assertFits120(t, out)
	for _, v := range append(append(names, ids...), "model-router", sku, capacity, "quality") {
		assert.Regexp(t, `(?m)(^|[\s,])`+regexp.QuoteMeta(v)+`(,|\s|$)`, out)
	}
}

// deploymentsCLI starts the management API and returns a `deployments`
// command runner that fails the test on an error and returns its stdout.
func deploymentsCLI(t *testing.T) func(args ...string) string {
	t.Helper()
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	return func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		require.NoError(t, run(context.Background(), append([]string{"deployments"}, args...), &out, &errOut), errOut.String())
		return out.String()
	}
}
