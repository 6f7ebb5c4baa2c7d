package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A fully qualified host name ends in a dot ("localhost.", a proxy's
// "gateway.internal."): it names the same host, and DNS resolves it alike.
func TestAHostNameWithItsTrailingDotIsTheSameHost(t *testing.T) {
	assert.True(t, HostAllowed("localhost.:8080", nil))
	assert.True(t, HostAllowed("gateway.internal.", []string{"gateway.internal"}))
	assert.False(t, HostAllowed("evil.example.", []string{"gateway.internal"}))
}
