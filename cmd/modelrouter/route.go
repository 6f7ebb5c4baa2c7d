package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

func init() {
	register(command{name: "route", summary: "print the routing decision for one prompt (no upstream call)", run: runRoute})
}

// routeCatalog is the catalog route decides over (a seam for tests).
var routeCatalog = models.Catalog

// modelsFlagHelp describes --models on route and simulate, which both
// resolve a catalog name (gpt-4.1) to its model ID in the router version.
const modelsFlagHelp = "custom subset: model IDs or catalog names (gpt-4.1), comma separated (default: the version's full set)"

func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("route", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "balanced", "routing mode: balanced, quality or cost")
	version := fs.String("router-version", "", "router version whose models are candidates (default: the latest)")
	subset := fs.String("models", "", modelsFlagHelp)
	routerModel := fs.String("router-model", "", "folder with router.onnx, tokenizer.json and router.json (default: the embedded model)")
	tools := fs.Bool("tools", false, "the request uses tools (only tool-capable models are eligible)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	cuda := fs.Bool("cuda", false, "run the router model on CUDA when available")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: modelrouter route [flags] "prompt" [flags]   (- reads the prompt from stdin; after -- every word is the prompt's)`)
		fs.PrintDefaults()
	}
	words, err := parseRouteArgs(fs, args)
	if err != nil {
		return err
	}
	prompt := strings.Join(words, " ")
	if strings.TrimSpace(prompt) == "" {
		fs.Usage()
		return usagef("route: no prompt given")
	}
	if prompt == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("route: read stdin: %w", err)
		}
		// A well-formed command line whose input was empty: it ran and
		// failed (exit 1), not a usage error.
		if prompt = string(b); strings.TrimSpace(prompt) == "" {
			return errors.New("route: no prompt on standard input")
		}
	}
	m, err := router.ParseMode(*mode)
	if err != nil {
		return fmt.Errorf("route: %w", err)
	}
	catalog, err := routeCatalog()
	if err != nil {
		return fmt.Errorf("route: %w", err)
	}
	rm, err := openRouterModel(*routerModel, *cuda)
	if err != nil {
		return fmt.Errorf("route: router model: %w", err)
	}
	if rm.close != nil {
		defer rm.close()
	}
	catalog, _ = models.OwnProfiles(catalog, rm.profiles)
	rt, err := router.New(router.Config{Catalog: catalog, Predictor: rm.predictor, Bands: rm.bands})
	if err != nil {
		return fmt.Errorf("route: %w", err)
	}
	dep := router.Deployment{Name: "model-router", RouterVersion: *version, Mode: m}
	d, err := rt.Decide(ctx, dep, router.Request{
		Prompt: prompt,
		Needs:  router.Needs{Tools: *tools, InputTokens: models.EstimateTokens(prompt)},
		// As routing_config.models: an unknown id is named, with the valid ones.
		Models:      upstream.SplitList(*subset),
		ModelsScope: "in --models",
	})
	if err != nil {
		return fmt.Errorf("route: %s", router.ErrorMessage(err))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	return writeDecision(stdout, d, rm.version)
}

// writeDecision prints the chosen model and every candidate, ranked ones
// first in failover order. Each candidate's reason stands on its own line
// below its figures: beside the longest model and profile names it would
// make the line wider than a 120-column terminal.
func writeDecision(w io.Writer, d router.Decision, modelVersion string) error {
	fmt.Fprintf(w, "router model %s, router version %s, mode %s\n", modelVersion, d.RouterVersion, d.Mode)
	fmt.Fprintf(w, "chosen: %s (best predicted quality %.3f, threshold %.3f)\n\n", d.ChosenID, d.BestQuality, d.Threshold)
	cands := slices.Clone(d.Candidates)
	slices.SortStableFunc(cands, func(a, b router.Candidate) int {
		if (a.Rank == 0) != (b.Rank == 0) {
			if a.Rank == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Rank, b.Rank)
	})
	// The reason lines start under MODEL, past RANK's four characters.
	const indent = "      "
	t := &textTable{left: 3}
	t.add("", []string{"RANK", "MODEL", "PROFILE", "QUALITY", "OUTPUT TOKENS", "EXPECTED $"})
	t.add(indent+"REASON", nil)
	for _, c := range cands {
		rank := "-"
		if c.Rank > 0 {
			rank = fmt.Sprint(c.Rank)
		}
		t.add("", []string{rank, c.Model, c.Profile, fmt.Sprintf("%.3f", c.Quality), fmt.Sprintf("%.0f", c.OutputTokens),
			fmt.Sprintf("%.6f", c.ExpectedCost)})
		for _, l := range wrapText(c.Reason, tableWidth-len(indent)) {
			t.add(indent+l, nil)
		}
	}
	t.write(w)
	return nil
}

// parseRouteArgs parses route's flags before the prompt as flags, and after
// the prompt's first word only the words that name one of route's flags
// (`route "prompt" --mode cost`): any other word, "-5" or "-h" included, is
// the prompt's, so an unquoted prompt still routes. After "--" every word
// is the prompt's.
func parseRouteArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if afterTerminator(args, rest) {
		return rest, nil
	}
	var words []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			return append(words, rest[i+1:]...), nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		fl := fs.Lookup(name)
		if len(words) == 0 || !strings.HasPrefix(a, "-") || fl == nil {
			words = append(words, a)
			continue
		}
		if !hasValue && !isBoolFlag(fl) {
			if i+1 == len(rest) {
				return nil, usagef("flag needs an argument: %s", a)
			}
			i++
			value, hasValue = rest[i], true
		}
		if !hasValue {
			value = "true"
		}
		if err := fs.Set(name, value); err != nil {
			return nil, usagef("invalid value %q for flag %s: %w", value, a, err)
		}
	}
	return words, nil
}

func isBoolFlag(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
