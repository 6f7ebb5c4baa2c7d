package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A script tells a command line it got wrong (exit 2, as flag.ExitOnError
// and most Unix tools) from a command that ran and failed (exit 1).
func TestExitCodeTellsAWrongCommandLineFromAFailedCommand(t *testing.T) {
	missingDB := filepath.Join(t.TempDir(), "none.db")
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"route", "--no-such-flag", "hi"}, 2},
		{[]string{"route", "hi", "--mode"}, 2},
		{[]string{"route", "hi", "--mode=sideways"}, 1},
		{[]string{"models", "extra"}, 2},
		{[]string{"report", "--db", missingDB, "extra"}, 2},
		{[]string{"keys", "create"}, 2},
		{[]string{"keys", "revoke", "a", "b", "--db", missingDB}, 2},
		{[]string{"keys", "rotate"}, 2},
		{[]string{"deployments", "wipe"}, 2},
		{[]string{"export-feedback", "--db", missingDB}, 2},
		{[]string{"train", "--epochs", "many"}, 2},
		{[]string{"serve", "now"}, 2},
		{[]string{"simulate"}, 2},
		{[]string{"keys"}, 2},
		{[]string{"deployments"}, 2},
		{[]string{"route"}, 2},
		{[]string{"help", "nosuch"}, 2},
		{[]string{"keys", "list", "--db", missingDB}, 1},
		{[]string{"report", "--db", missingDB}, 1},
		{[]string{"route", "-h"}, 0},
		{[]string{"help", "keys"}, 0},
		{[]string{"help", "-h"}, 0},
		{[]string{"help", "--help"}, 0},
		{[]string{"help", "help"}, 0},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		assert.Equal(t, tc.want, exitCode(err), "%q: %v", tc.args, err)
	}
}

// `route -` reads the prompt from standard input: a well-formed command
// line whose input turned out empty ran and failed (1), it is no usage
// error (2).
func TestRouteWithAnEmptyStandardInputFailsWithExit1(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	require.NoError(t, err)
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	err = run(context.Background(), []string{"route", "-"}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err), "%v", err)
}
