package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// `modelrouter COMMAND -h` lists each flag with the kind of value it takes.
// A boolean flag takes none, and --db takes a file path: a help line such as
// "-require-keys modelrouter keys create" tells the reader to type those words
// after the flag (which then fails as extra arguments).
func TestHelpShowsTheValueEachFlagTakes(t *testing.T) {
	for _, tc := range []struct {
		command []string
		flag    string
		want    string // the whole flag line of the help
	}{
		{[]string{"serve", "-h"}, "-require-keys", "  -require-keys"},
		{[]string{"simulate", "-h"}, "-db", "  -db string"},
	} {
		var stdout bytes.Buffer
		_ = run(context.Background(), tc.command, &stdout, &bytes.Buffer{})
		var got string
		for _, line := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(line, "  "+tc.flag+" ") || line == "  "+tc.flag {
				got = line
			}
		}
		assert.Equal(t, tc.want, got, "%q help line of %s", tc.command, tc.flag)
	}
}

// Go's flag package takes a back-quoted word in a usage string as the name
// of the flag's value; every command's help shows at most one word there.
func TestHelpOfEveryCommandShowsOneValueNamePerFlag(t *testing.T) {
	for name := range commands {
		var stdout bytes.Buffer
		_ = run(context.Background(), []string{name, "-h"}, &stdout, &bytes.Buffer{})
		for _, line := range strings.Split(stdout.String(), "\n") {
			// flag.PrintDefaults writes "  -name value"; "  --" lines are
			// a command's own usage text.
			if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
				assert.LessOrEqual(t, len(strings.Fields(line)), 2, "%s -h: %q", name, line)
			}
		}
	}
}
