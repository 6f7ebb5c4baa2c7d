package main

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helpFlag is one flag as `modelrouter COMMAND -h` lists it.
type helpFlag struct {
	kind string // the value's kind ("string", "duration", "int"; "" for a boolean)
	def  string // the default as the help prints it; "" when it shows none (the zero value)
}

var helpDefault = regexp.MustCompile(` \(default (.+)\)$`)

// commandHelpFlags reads the flags of `modelrouter args... -h`.
func commandHelpFlags(t *testing.T, args ...string) map[string]helpFlag {
	t.Helper()
	var stdout bytes.Buffer
	_ = run(context.Background(), append(args, "-h"), &stdout, &bytes.Buffer{})
	flags := map[string]helpFlag{}
	lines := strings.Split(stdout.String(), "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "  -") || strings.HasPrefix(line, "  --") {
			continue
		}
		fields := strings.Fields(line)
		f := helpFlag{}
		if len(fields) > 1 {
			f.kind = fields[1]
		}
		if i+1 < len(lines) {
			if m := helpDefault.FindStringSubmatch(lines[i+1]); m != nil {
				f.def = strings.Trim(m[1], `"`)
			}
		}
		flags[strings.TrimPrefix(fields[0], "-")] = f
	}
	require.NotEmpty(t, flags, "%v -h lists no flags", args)
	return flags
}

// readmeSection is the text of the README under heading, up to the next
// heading of the same or a higher level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	require.True(t, ok, "the README has no %q", heading)
	// From "## " down to the heading's own level: a line starting "# " may
	// be a comment in a shell example.
	level := strings.IndexByte(heading, ' ')
	for i := 2; i <= level; i++ {
		section, _, _ = strings.Cut(section, "\n"+strings.Repeat("#", i)+" ")
	}
	return section
}

// sameDefault reports whether the README's default cell (`30s`, `20 MiB`,
// on, off, none, `0` (forever)) says the default the help prints.
func sameDefault(f helpFlag, cell string) bool {
	cell = strings.ReplaceAll(cell, "`", "")
	if i := strings.Index(cell, " ("); i > 0 {
		cell = cell[:i]
	}
	switch f.kind {
	case "":
		return strings.HasPrefix(cell, "on") == (f.def == "true") &&
			(strings.HasPrefix(cell, "on") || strings.HasPrefix(cell, "off"))
	case "duration":
		want, err := time.ParseDuration(cmp.Or(f.def, "0s"))
		got, err2 := time.ParseDuration(cell)
		return err == nil && err2 == nil && got == want
	case "int":
		n, unit, _ := strings.Cut(cell, " ")
		got, err := strconv.ParseInt(n, 10, 64)
		if unit == "MiB" {
			got <<= 20
		}
		return err == nil && strconv.FormatInt(got, 10) == cmp.Or(f.def, "0")
	default:
		if f.def == "" {
			return cell == "none" || cell == "off" || cell == "embedded" || strings.HasPrefix(cell, "$")
		}
		return cell == f.def
	}
}

// README "`serve` flags": one row per flag `serve -h` lists, with the
// default serve takes, and no row for a flag serve does not have.
func TestTheReadmesServeFlagsTableMatchesServeHelp(t *testing.T) {
	flags := commandHelpFlags(t, "serve")
	rows := map[string]bool{}
	for _, line := range strings.Split(readmeSection(t, "### `serve` flags"), "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(line, " | ")
		name := strings.TrimPrefix(strings.Trim(strings.Fields(strings.TrimPrefix(cells[0], "| "))[0], "`"), "--")
		rows[name] = true
		f, ok := flags[name]
		if !assert.True(t, ok, "the README documents serve --%s, which serve -h does not list", name) {
			continue
		}
		assert.True(t, sameDefault(f, cells[1]), "serve --%s: the README's default %q, serve -h's %q", name, cells[1], f.def)
	}
	for name := range flags {
		assert.True(t, rows[name], "serve --%s has no row in the README's serve flags table", name)
	}
}

// README "Training" and "Evaluation" name every flag of `train -h` and
// `eval -h`.
func TestTheReadmesTrainingAndEvaluationNameEveryFlag(t *testing.T) {
	for command, heading := range map[string]string{"train": "### Training", "eval": "### Evaluation"} {
		section := readmeSection(t, heading)
		for name := range commandHelpFlags(t, command) {
			named := regexp.MustCompile("--" + regexp.QuoteMeta(name) + "([^a-z0-9-]|$)").MatchString(section)
			assert.True(t, named,
				"the README's %s section does not name %s --%s", heading, command, name)
		}
	}
}
