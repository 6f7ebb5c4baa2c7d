package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The house rules of DESIGN.md, checked on the real import graph: router/
// stays pure, and nothing that serves requests pulls in offline training.
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		require.NoError(t, err, pkg)
		return strings.Fields(string(out))
	}
	const mod = "github.com/modelrouter/modelrouter/"
	for _, d := range deps(mod + "router") {
		require.True(t, strings.HasPrefix(d, mod+"router"), "router imports %s; it may import the standard library only", d)
	}
	for _, pkg := range []string{"server/...", "classifier", "models", "store"} {
		for _, d := range deps(mod + pkg) {
			require.False(t, strings.HasPrefix(d, mod+"training"), "%s imports %s", pkg, d)
		}
	}
	for _, pkg := range []string{"classifier", "store", "models"} {
		for _, d := range deps(mod + pkg) {
			require.False(t, strings.HasPrefix(d, mod+"server"), "%s imports %s", pkg, d)
		}
	}
}
