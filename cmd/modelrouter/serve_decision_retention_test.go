package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every request adds a row of several kilobytes to the decision log (about
// 6 KB with the built-in catalog's candidates), so a gateway at a few
// requests per second fills gigabytes a month. Kept responses have
// --keep-responses; the decision log needs the same: a serve setting that
// says how long decisions are kept, and the README's decision log section
// naming it, so an operator can bound the file without stopping the server.
func TestServeOffersHowLongDecisionsAreKept(t *testing.T) {
	var stdout bytes.Buffer
	_ = run(context.Background(), []string{"serve", "-h"}, &stdout, &bytes.Buffer{})
	lines := strings.Split(stdout.String(), "\n")
	var flag string
	for i, line := range lines {
		fields := strings.Fields(line)
		if len(fields) == 2 && fields[1] == "duration" && i+1 < len(lines) &&
			strings.Contains(strings.ToLower(lines[i+1]), "decision") {
			flag = fields[0]
		}
	}
	require.NotEmpty(t, flag, "serve -h has no duration setting for how long decision log rows are kept:\n%s", stdout.String())

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, _ := strings.Cut(string(readme), "\n## Decision log\n")
	section, _, _ = strings.Cut(section, "\n## ")
	assert.True(t, strings.Contains(section, strings.TrimLeft(flag, "-")), "the README's decision log section does not name %s", flag)
}
