package main

import (
	"io"
	"os"
	"testing"

	"github.com/mattn/go-isatty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Help the user asked for goes to stdout with exit 0, as GNU tools, git and
// `go help` print it, so `modelrouter serve --help | grep grace` finds it;
// it went to stderr (the flag package's default) and the pipe got nothing.
func TestHelpAskedForGoesToStdout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // a line the help holds
	}{
		{[]string{"help"}, "Commands:"},
		{[]string{"--help"}, "Commands:"},
		{[]string{"-h"}, "Commands:"},
		{[]string{"help", "help"}, "Commands:"},
		{[]string{"help", "serve"}, "-grace"},
		{[]string{"serve", "--help"}, "-grace"},
		{[]string{"train", "-h"}, "usage: modelrouter train"},
		{[]string{"help", "keys", "create"}, "-budget-usd"},
		{[]string{"keys", "create", "--help"}, "-budget-usd"},
		{[]string{"keys", "help"}, "modelrouter keys create"},
		{[]string{"deployments", "help"}, "--capacity"},
		{[]string{"deployments", "put", "-h"}, "--capacity"},
	} {
		stdout, stderr, err := runCmd(t, tc.args...)
		assert.Equal(t, 0, exitCode(err), "%q: %v", tc.args, err)
		assert.Contains(t, stdout, tc.want, "%q: the help is on stdout", tc.args)
		assert.Empty(t, stderr, "%q: nothing on stderr", tc.args)
	}
}

// Usage shown because of a mistake (an unknown flag, command or extra word)
// stays on stderr, with exit 2, and stdout stays empty for a pipe.
func TestUsageAfterAMistakeStaysOnStderr(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--nosuch"}, "-grace"},
		{[]string{"train", "--sed", "2"}, "usage: modelrouter train"},
		{[]string{"nosuch"}, "Commands:"},
		{[]string{"help", "help", "keys"}, "Commands:"},
		{[]string{"--help", "serve"}, "Commands:"},
		{[]string{"keys"}, "modelrouter keys create"},
		{[]string{"deployments", "wipe"}, "--capacity"},
	} {
		stdout, stderr, err := runCmd(t, tc.args...)
		assert.Equal(t, 2, exitCode(err), "%q: %v", tc.args, err)
		assert.Contains(t, stderr, tc.want, "%q: the usage is on stderr", tc.args)
		assert.Empty(t, stdout, "%q: nothing on stdout", tc.args)
	}
}

// The stderr run hands a command is still the process's file to a progress
// bar, which draws itself only on a terminal.
func TestCommandStderrKeepsItsFileDescriptor(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, f.Fd(), (&commandStderr{stderr: f, stdout: io.Discard}).Fd())
	assert.False(t, isatty.IsTerminal((&commandStderr{stderr: io.Discard, stdout: io.Discard}).Fd()),
		"a stderr that is no file is no terminal")
}
