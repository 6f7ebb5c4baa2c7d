package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// `modelrouter help keys create` is `keys create -h`: the flags of that
// subcommand, which `help keys` alone does not list.
func TestHelpCommandSubcommandShowsThatSubcommandsFlags(t *testing.T) {
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"help", "keys", "create"}, &stdout, io.Discard)
	assert.Equal(t, 0, exitCode(err), "%v", err)
	assert.Contains(t, stdout.String(), "-budget-usd")

	stdout.Reset()
	err = run(context.Background(), []string{"help", "deployments", "put"}, &stdout, io.Discard)
	assert.Equal(t, 0, exitCode(err), "%v", err)
	assert.Contains(t, stdout.String(), "--capacity")
}

// README: exit status 2 when "the command line could not be read (... extra
// arguments)". A word after COMMAND that is not one of its subcommands is
// not silently dropped.
func TestHelpWithWordsAfterTheCommandIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"help", "serve", "now"},
		{"help", "keys", "rotate"},
		{"help", "keys", "create", "now"},
		{"help", "route", "what", "is", "2+2"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		assert.Equal(t, 2, exitCode(err), "%q: %v", args, err)
	}
}

// Every subcommand a command's usage lists ("  modelrouter keys create
// ...") is one `help COMMAND SUBCOMMAND` takes.
func TestHelpTakesEverySubcommandItsCommandLists(t *testing.T) {
	for name := range commands {
		var stdout bytes.Buffer
		_ = run(context.Background(), []string{"help", name}, &stdout, io.Discard)
		for _, line := range strings.Split(stdout.String(), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(line), "modelrouter "+name+" ")
			sub, _, _ := strings.Cut(rest, " ")
			if !ok || sub == "" || strings.HasPrefix(sub, "-") || strings.ToUpper(sub) == sub {
				continue
			}
			err := run(context.Background(), []string{"help", name, sub}, io.Discard, io.Discard)
			assert.Equal(t, 0, exitCode(err), "help %s %s: %v", name, sub, err)
		}
	}
}

// `help help`, `help -h` and `-h` are the list of commands; a word after
// them is extra, as after any command (exit 2), not silently dropped.
func TestHelpWithExtraWordsAfterHelpExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"help", "help", "keys"}, {"help", "-h", "nosuch"}, {"help", "--help", "keys", "create"}, {"-h", "keys"}, {"--help", "serve"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, io.Discard, &stderr)
		assert.Equal(t, 2, exitCode(err), "%q: %v", args, err)
		assert.Contains(t, stderr.String(), "Commands:", "%q: the list of commands is still shown", args)
	}
	for _, args := range [][]string{{"help"}, {"help", "help"}, {"help", "-h"}, {"-h"}, {"--help"}} {
		assert.Equal(t, 0, exitCode(run(context.Background(), args, io.Discard, io.Discard)), "%q", args)
	}
}
