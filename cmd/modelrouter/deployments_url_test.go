package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A server address typed without its scheme, as `serve --addr` takes it,
// is a mistake on this side: the message says which URL to give rather than
// Go's "unsupported protocol scheme" or "first path segment in URL cannot
// contain colon", and sends no one to check a server.
func TestDeploymentsNamesTheURLItWantsForAnAddressWithoutScheme(t *testing.T) {
	for _, u := range []string{"localhost:8080", "127.0.0.1:8080", "ftp://127.0.0.1:8080", "http://"} {
		_, _, err := runCmd(t, "deployments", "list", "--url", u)
		assert.ErrorContains(t, err, "--url "+u+": want the server's base URL, as http://127.0.0.1:8080")
		assert.NotContains(t, err.Error(), "is `modelrouter serve` running", u)
	}
	t.Setenv("MODELROUTER_URL", "localhost:8080")
	_, _, err := runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "--url localhost:8080 (from $MODELROUTER_URL): want the server's base URL")
}
