package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The README's own deployments (a Claude deployment and a router over two
// models) are not the 64-character names and every-model subsets the
// two-line layout is for: `deployments list` keeps a line per deployment
// with its model, version and mode, and the router's line names its subset
// rather than a count, within 120 columns.
func TestDeploymentsListKeepsALinePerDeploymentForTheReadmeExamples(t *testing.T) {
	cli := deploymentsCLI(t)
	cli("put", "sonnet", "--model", "claude-sonnet-4-5-20250929")
	cli("put", "my-router", "--mode", "quality", "--models", "gpt-4.1-2025-04-14,claude-sonnet-4-5-20250929", "--capacity", "50")

	out := cli("list")
	assertFits120(t, out)
	assert.Regexp(t, `(?m)^sonnet +claude-sonnet-4-5 +20250929 `, out)
	assert.Regexp(t, `(?m)^my-router +model-router +\S+ +quality .*gpt-4\.1-2025-04-14`, out)
}
