package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

func init() {
	register(command{name: "models", summary: "list the model catalog of a router version", run: runModels})
}

func runModels(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("models", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ver := fs.String("version", "", "router version (default: the latest)")
	asJSON := fs.Bool("json", false, "print the catalog entries as JSON")
	routerModel := fs.String("router-model", "", "show the profiles this router model predicts each model with (its own where it has one; default: the catalog's stand-ins)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: modelrouter models [--version V] [--json] [--router-model DIR]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usagef("models: unexpected argument %q", fs.Arg(0))
	}
	cat, err := models.Catalog()
	if err != nil {
		return err
	}
	var own []string
	if *routerModel != "" {
		card, err := readCard(*routerModel)
		if err != nil {
			return fmt.Errorf("models: %w", err)
		}
		cat, own = models.OwnProfiles(cat, card.Profiles)
	}
	v, err := catalogVersion(cat, *ver)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(listVersion(v))
	}
	return writeModelsTable(stdout, v, own)
}

// readCard reads and checks the card of the router model in dir.
func readCard(dir string) (models.Card, error) {
	files, err := loadArtifacts(dir)
	if err != nil {
		return models.Card{}, err
	}
	return models.ParseCard(files.RouterJSON)
}

// catalogVersion returns version v of cat ("" = latest) or an error that
// lists the versions there are.
func catalogVersion(cat router.Catalog, v string) (router.Version, error) {
	if v == "" {
		v = cat.Latest
	}
	var names []string
	for _, x := range cat.Versions {
		if x.Version == v {
			return x, nil
		}
		names = append(names, x.Version)
	}
	return router.Version{}, fmt.Errorf("unknown router version %q; versions: %s", v, strings.Join(names, ", "))
}

// writeModelsTable prints the version's models; own lists those predicted
// by a profile of their own rather than the catalog's stand-in. Three
// tables with the same rows, what a model is, costs and can serve, how it
// is predicted, then the values it takes for the parameters routing
// filters on by value, so that the longest name, profile, notes and
// effort list fit a 120-column terminal. The later tables name each row by
// the model's ID, not its name: a version may route two releases of one
// name, and the ID is what tells them apart (and what --models takes);
// VERSION beside PROFILE and NOTES would not fit.
func writeModelsTable(w io.Writer, v router.Version, own []string) error {
	fmt.Fprintf(w, "model-router %s: %s\n\n", v.Version, counted(len(v.Models), "model", "models"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tFORMAT\tPROVIDER\tIN $\tOUT $\tCONTEXT\tMAX OUT\tCAPS")
	for _, m := range v.Models {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Version, m.Format, m.Provider,
			price(m.InputPerMTok), price(m.OutputPerMTok), tokens(m.ContextWindow), tokens(m.MaxOutput), caps(m))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "ID\tPROFILE\tNOTES")
	for _, m := range v.Models {
		var notes []string
		if m.Preview {
			notes = append(notes, "preview")
		}
		if m.RequiresDeployment {
			notes = append(notes, "deploy first")
		}
		if strings.HasPrefix(m.PriceSource, "estimate") {
			notes = append(notes, "price estimated")
		}
		if slices.Contains(own, m.ID) {
			notes = append(notes, "own profile")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.ID, m.Profile, strings.Join(notes, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := writeParamsTable(w, v); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nIN $ and OUT $: USD per 1M input and output tokens. CAPS: R reasoning (+ hidden reasoning tokens expected\n"+
		"per answer), T tools, V vision, S structured output, F file (PDF) input, W web search, A audio output; a call that\n"+
		"needs one leaves out the models without it. REASONING EFFORT and VERBOSITY: the values a model takes (any: its\n"+
		"provider judges the value; another effort is sent as the nearest listed); PREDICTION and FLEX: takes Chat's\n"+
		"prediction, service_tier flex; -: the gateway sends it none, so a call that sets one reaches it without, or with\n"+
		"routing_config.require_parameters leaves it out. Model IDs (the `model`\n"+
		"an answer reports, and what `deployments put --models` takes; the later tables' ID) are name-version, or the name\n"+
		"for version 1.")
	return err
}

func price(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// tokens writes a token count short: 128K, 1M, 1.05M. Powers-of-two sizes
// (multiples of 4,096) count in 1,024s, as vendors quote them (131072 is
// "128K").
func tokens(n int) string {
	switch {
	case n > 0 && n < 1_000_000 && n%4096 == 0:
		return strconv.Itoa(n/1024) + "K"
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'g', 3, 64) + "M"
	case n >= 1000:
		return strconv.Itoa((n+500)/1000) + "K"
	}
	return strconv.Itoa(n)
}
