package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

func init() {
	register(command{name: "keys", summary: "manage client API keys (create, list, budget, revoke)", run: runKeys,
		subcommands: []string{"create", "list", "budget", "revoke"}})
}

const keysUsage = `usage:
  modelrouter keys create --name NAME [--budget-usd X [--budget-period P]] [--db FILE]
                                                    make a key; prints it once, on stdout
  modelrouter keys list [--db FILE]                 list keys (never their secret part), budgets and spend
  modelrouter keys budget ID|PREFIX|KEY --usd X [--period P] [--db FILE]
                                                    cap what calls with a key may spend (USD at catalog
                                                    prices) per period: day, month (default) or total;
                                                    --usd 0 removes the cap
  modelrouter keys revoke [--db FILE] ID|PREFIX|KEY revoke a key by id, shown prefix or the key itself
                                                    (matched by its hash, never printed)`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return usagef("keys: no subcommand; want create, list, budget or revoke")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, keysUsage)
		fs.PrintDefaults()
	}
	dbPath := fs.String("db", defaultDBPath, "the router's SQLite database")
	switch sub {
	case "create":
		name := fs.String("name", "", "who or what the key is for (required)")
		usd := fs.Float64("budget-usd", 0, "cap on what calls with the key may spend per period, in USD at catalog prices (0: no cap)")
		period := fs.String("budget-period", store.PeriodMonth, "the budget's period: day, month or total")
		if err := parseNoArgs(fs, args); err != nil {
			return err
		}
		if *name == "" {
			fs.Usage()
			return usagef("keys create: --name is required")
		}
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		// The amount is checked first, so one out of range is named as
		// such, with or without a period.
		b := store.Budget{USD: *usd, Period: *period}
		if err := b.Validate(); err != nil {
			return fmt.Errorf("keys create: %w", err)
		}
		if set["budget-period"] && !set["budget-usd"] {
			// A period alone caps nothing; making the key anyway would leave
			// the operator believing it is capped. An explicit 0 is "no cap"
			// whatever the period, as in `keys budget`, and the key's line
			// below says "budget none".
			return usagef("keys create: --budget-period %s needs --budget-usd (a period with no amount caps nothing)", *period)
		}
		return withStore(openOrCreateStore, *dbPath, func(s *store.Store) error {
			plain, k, err := s.CreateKey(ctx, *name)
			if err != nil {
				return fmt.Errorf("keys create: %w", err)
			}
			if b.Capped() {
				if k, err = s.SetKeyBudget(ctx, k.ID, b); err != nil {
					return fmt.Errorf("keys create: %w", err)
				}
			}
			// The key alone on stdout, so `KEY=$(modelrouter keys create ...)` works.
			fmt.Fprintln(stdout, plain)
			fmt.Fprintf(stderr, "created key %s (%q, budget %s) in %s; it is shown only this once\n", k.ID, k.Name, k.Budget, *dbPath)
			return nil
		})
	case "budget":
		usd := fs.Float64("usd", 0, "cap on what calls with the key may spend per period, in USD at catalog prices (0 removes the cap; required)")
		period := fs.String("period", store.PeriodMonth, "the budget's period: day, month or total")
		ids, err := parseInterleaved(fs, args)
		if err != nil {
			return err
		}
		usdSet := false
		fs.Visit(func(fl *flag.Flag) { usdSet = usdSet || fl.Name == "usd" })
		if len(ids) != 1 || !usdSet {
			fs.Usage()
			return usagef("keys budget: want one key id or prefix and --usd (got %s)", counted(len(ids), "argument", "arguments"))
		}
		if err := (store.Budget{USD: *usd, Period: *period}).Validate(); err != nil {
			return fmt.Errorf("keys budget: %w", err)
		}
		return withStore(openExistingStore, *dbPath, func(s *store.Store) error {
			k, err := s.SetKeyBudget(ctx, shownKeyRef(ids[0]), store.Budget{USD: *usd, Period: *period})
			if err != nil {
				return fmt.Errorf("keys budget: %w", err)
			}
			fmt.Fprintf(stdout, "key %s (%q): budget %s; a running gateway applies it within %s\n",
				k.ID, k.Name, k.Budget, budget.DefaultRefresh)
			return nil
		})
	case "list":
		if err := parseNoArgs(fs, args); err != nil {
			return err
		}
		return withStore(openStoreForReading, *dbPath, func(s *store.Store) error {
			keys, err := s.ListKeys(ctx)
			if err != nil {
				return fmt.Errorf("keys list: %w", err)
			}
			now := time.Now()
			lines := make([]keyLine, len(keys))
			for i, k := range keys {
				spent := "-"
				if k.Budget.Capped() {
					usd, err := s.KeySpend(ctx, k.ID, k.Budget.Start(now), time.Time{})
					if err != nil {
						return fmt.Errorf("keys list: %w", err)
					}
					spent = store.FormatUSD(usd)
				}
				lines[i] = keyLine{name: shown(k.Name), id: k.ID, prefix: k.Prefix + "…",
					created: k.Created, revoked: k.Revoked, budget: k.Budget.String(), spent: spent}
			}
			writeKeysTable(stdout, lines)
			return nil
		})
	case "revoke":
		ids, err := parseInterleaved(fs, args)
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			fs.Usage()
			return usagef("keys revoke: want one key id or prefix, got %d arguments", len(ids))
		}
		return withStore(openExistingStore, *dbPath, func(s *store.Store) error {
			k, err := s.RevokeKey(ctx, shownKeyRef(ids[0]))
			if err != nil {
				return fmt.Errorf("keys revoke: %w", err)
			}
			fmt.Fprintf(stdout, "revoked key %s (%q, %s…)\n", k.ID, k.Name, k.Prefix)
			return nil
		})
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, keysUsage)
		return nil
	}
	fmt.Fprintln(stderr, keysUsage)
	return usagef("keys: unknown subcommand %q; want create, list, budget or revoke", sub)
}

// keyLine is one key as `keys list` shows it: its name, and its ID,
// PREFIX, CREATED, STATUS (revoked is zero while active), BUDGET and SPENT.
type keyLine struct {
	name, id, prefix string
	created, revoked time.Time
	budget, spent    string
}

// cells are the key's columns but its name, times written in layout.
func (k keyLine) cells(layout string) []string {
	status := "active"
	if !k.revoked.IsZero() {
		status = "revoked " + k.revoked.Format(layout)
	}
	return []string{k.id, k.prefix, k.created.Format(layout), status, k.budget, k.spent}
}

// keyNameCap is the widest name, in terminal columns, kept on its key's
// line. Scripts find a key's ID by its name on that line (there is no
// --json), so everyday names must not move it; a wider name (up to 200
// characters, two columns each where East Asian wide) would leave the
// other columns no room.
const keyNameCap = 32

// keyTimeLayouts are the ways CREATED and STATUS give times, most precise
// first: the first that fits the terminal is used, so that a revoked key
// and a budget beside a name of up to keyNameCap columns still fit.
var keyTimeLayouts = []string{time.DateTime, "2006-01-02 15:04", time.DateOnly}

// writeKeysTable prints a line per key, its name third, within tableWidth,
// shortening the times to fit. Only where a name is wider than keyNameCap
// (or budgets are too wide for any layout) does each key's name stand on a
// line of its own (wrapped if it must be) above its other columns, indented.
func writeKeysTable(w io.Writer, keys []keyLine) {
	head := []string{"ID", "PREFIX", "CREATED", "STATUS", "BUDGET", "SPENT"}
	named := func(cells []string, name string) []string {
		return append([]string{cells[0], cells[1], name}, cells[2:]...)
	}
	long := slices.ContainsFunc(keys, func(k keyLine) bool { return displayWidth(k.name) > keyNameCap })
	if !long {
		for _, layout := range keyTimeLayouts {
			t := &textTable{left: len(head) + 1}
			t.add("", named(head, "NAME"))
			for _, k := range keys {
				t.add("", named(k.cells(layout), k.name))
			}
			if t.width() <= tableWidth {
				t.write(w)
				return
			}
		}
	}
	t := &textTable{left: len(head) + 1}
	t.add("NAME", nil)
	t.add("", append([]string{""}, head...))
	for _, k := range keys {
		for _, l := range wrapText(k.name, tableWidth) {
			t.add(l, nil)
		}
		t.add("", append([]string{""}, k.cells(time.DateTime)...))
	}
	t.write(w)
}

// withStore opens the database at path with open for fn. Only create may
// make a new file: listing or revoking in a database that does not exist
// is a wrong --db; an existing file must be a modelrouter database. list
// opens it for reading only.
func withStore(open func(string) (*store.Store, error), path string, fn func(*store.Store) error) error {
	s, err := open(path)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return errors.Join(fn(s), s.Close())
}

func parseNoArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usagef("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	return nil
}

// afterTerminator reports whether fs.Parse(args) left rest because it met
// "--": everything in rest is then positional.
func afterTerminator(args, rest []string) bool {
	return len(rest) < len(args) && args[len(args)-len(rest)-1] == "--"
}

// parseInterleaved parses flags placed before or after positional
// arguments ("keys revoke ID --db f"), which flag.Parse alone stops at.
// After "--" everything is positional ("route -- --mode is a word").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if afterTerminator(args, rest) {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// shownKeyRef is a key id or prefix as the user typed it: `keys list` shows
// each prefix with a trailing "…", so a prefix pasted from the list comes
// with it (or with "..." when retyped).
func shownKeyRef(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSuffix(strings.TrimSuffix(s, "…"), "...")
}
