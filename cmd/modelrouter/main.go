// Command modelrouter is the self-hosted LLM model router: `serve` runs the
// gateway, `train` and `eval` build and measure the router model.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// command is one subcommand. Each lives in its own file and registers itself.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	// subcommands, for a command that has them, are the words
	// `help COMMAND SUBCOMMAND` takes.
	subcommands []string
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// version is set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signalContext()
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0) // `<command> -h` asked for the usage it got
		}
		if line, status, ok := stoppedBySignal(ctx, err); ok {
			fmt.Fprintln(os.Stderr, "modelrouter:", line)
			os.Exit(status)
		}
		if _, said := err.(exitStatus); !said {
			fmt.Fprintln(os.Stderr, "modelrouter:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks a command line that could not be read: a flag, an
// argument or a command that does not exist. main exits 2 for it, as
// flag.ExitOnError and most Unix tools do, so a script can tell a wrong
// invocation from a command that ran and failed (1).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// parseFlags is fs.Parse with its errors marked as usage errors; -h stays
// flag.ErrHelp, which exits 0. A value a flag cannot take is one line that
// names the flag and what it takes: the flag package printed the whole
// list of flags after it (train's is over 80 lines), then "parse error"
// ("train --seed -1"). An unknown flag, or one missing its value, still
// gets the list, where the right name can be found.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var bad *flag.Flag
	var badValue string
	var badErr error
	values := map[*flag.Flag]flag.Value{}
	fs.VisitAll(func(f *flag.Flag) {
		values[f] = f.Value
		f.Value = settingValue{f.Value, func(v string, err error) {
			if bad == nil {
				bad, badValue, badErr = f, v, err
			}
		}}
	})
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	for f, v := range values {
		f.Value = v
	}
	showUsage := func() {
		if usage != nil {
			usage()
			return
		}
		fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printHelp(out, showUsage)
		return err
	case bad != nil:
		return usagef("%s: invalid value %q for flag --%s: %s", fs.Name(), badValue, bad.Name, wantedValue(bad.Value, badValue, badErr))
	}
	fmt.Fprintln(out, err)
	showUsage()
	return usageError{err}
}

// settingValue is a flag's value that tells failed of a value it refused.
type settingValue struct {
	flag.Value
	failed func(value string, err error)
}

func (v settingValue) Set(s string) error {
	err := v.Value.Set(s)
	if err != nil {
		v.failed(s, err)
	}
	return err
}

// IsBoolFlag keeps a boolean flag one that takes no value.
func (v settingValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// wantedValue says what a flag takes, for the flag package's own kinds,
// whose refusal says only "parse error" or "value out of range"; a flag
// of the command's own (--bias-init, --levels) says it in its error.
func wantedValue(v flag.Value, value string, err error) string {
	g, ok := v.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false"
	case int:
		return wholeNumber(value, strconv.IntSize)
	case int64:
		return wholeNumber(value, 64)
	case uint, uint64:
		return fmt.Sprintf("want a whole number from 0 to %d", uint64(math.MaxUint64))
	case float64:
		return "want a number"
	case time.Duration:
		return "want a duration such as 90s, 5m or 1h30m"
	}
	return err.Error()
}

// wholeNumber is what a signed flag of bits bits takes: a whole number,
// and its range where value is one outside it (--epochs
// 99999999999999999999 is a whole number, refused for its size).
func wholeNumber(value string, bits int) string {
	if _, err := strconv.ParseInt(value, 0, bits); errors.Is(err, strconv.ErrRange) {
		return fmt.Sprintf("want a whole number from %d to %d", int64(-1)<<(bits-1), int64(^uint64(0)>>(65-bits)))
	}
	return "want a whole number"
}

// exitStatus is a command's exit status when its log already said why
// (serve cut short by a second stop signal): main prints nothing more.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exitCode is main's exit status for run's error.
func exitCode(err error) int {
	var status exitStatus
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		return 2
	case errors.As(err, &status):
		return int(status)
	}
	return 1
}

// helpWords ask for the list of commands.
var helpWords = []string{"help", "-h", "--help"}

// commandStderr is the stderr run gives a command: help the user asked
// for goes to stdout, as GNU tools, git and `go help` print it, so that
// `modelrouter serve -h | grep grace` finds it; usage shown for a mistake
// (an unknown flag) stays on stderr. The commands' usage functions write
// to stderr; printHelp points it at stdout while they show help.
type commandStderr struct {
	stderr, stdout io.Writer
	helping        bool
}

func (w *commandStderr) Write(p []byte) (int, error) {
	if w.helping {
		return w.stdout.Write(p)
	}
	return w.stderr.Write(p)
}

// Fd is stderr's file descriptor, so that a progress bar still sees a
// terminal there; a stderr that is no file gets one that is not a terminal.
func (w *commandStderr) Fd() uintptr {
	if f, ok := w.stderr.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// printHelp runs show, which writes a command's usage to stderr, as help
// the user asked for: on stdout when stderr is run's commandStderr.
func printHelp(stderr io.Writer, show func()) {
	if w, ok := stderr.(*commandStderr); ok {
		w.helping = true
		defer func() { w.helping = false }()
	}
	show()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) >= 2 && args[0] == "help" && !slices.Contains(helpWords, args[1]) {
		return help(ctx, args[1:], stdout, &commandStderr{stderr: stderr, stdout: stdout})
	}
	if len(args) == 0 || slices.Contains(helpWords, args[0]) {
		if len(args) == 0 {
			usage(stderr)
			return usagef("no command given")
		}
		// `help help` and `help -h` are `help`; a word after them is
		// extra, as after any command, not something to ignore.
		asked := args[:1]
		if args[0] == "help" && len(args) >= 2 {
			asked = args[:2]
		}
		if extra := args[len(asked):]; len(extra) > 0 {
			usage(stderr)
			return usagef("%s takes no more words, got %q; for a command's help: modelrouter help COMMAND [SUBCOMMAND]",
				strings.Join(asked, " "), extra)
		}
		usage(stdout)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return usagef("unknown command %q", args[0])
	}
	return c.run(ctx, args[1:], stdout, &commandStderr{stderr: stderr, stdout: stdout})
}

// help is `help COMMAND [SUBCOMMAND]`: `help route` is `route -h`, that
// command's flags, and `help keys create` is `keys create -h`. Any other
// word after COMMAND is a usage error, not a request to ignore.
func help(ctx context.Context, words []string, stdout, stderr io.Writer) error {
	c, ok := commands[words[0]]
	if !ok {
		usage(stderr)
		return usagef("unknown command %q", words[0])
	}
	switch {
	case len(words) > 2:
		return usagef("help: want one command and at most one subcommand, got %q", words)
	case len(words) == 2 && len(c.subcommands) == 0:
		return usagef("help: %s has no subcommands, got %q", c.name, words[1])
	case len(words) == 2 && !slices.Contains(c.subcommands, words[1]):
		return usagef("help: %s has no subcommand %q; want %s", c.name, words[1], strings.Join(c.subcommands, ", "))
	}
	if err := c.run(ctx, append(words[1:], "-h"), stdout, stderr); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "modelrouter %s: a self-hosted LLM model router\n\nCommands:\n", version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
}
