package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/newprofile"
	"github.com/modelrouter/modelrouter/training/pipeline"
)

func init() {
	register(command{name: "add-profile", summary: "add a profile for one model to a trained router model from its labelled answers, the rest unchanged", run: runAddProfile})
}

const addProfileUsage = `usage: modelrouter add-profile --data DIR --model NAME [--model NAME ...] --out DIR [--profile NAME ...] [--router-model DIR]

Fits one new profile (a quality and a length column on the router model's
fixed prompt representation) from the labelled answers of --model in the
routing datasets given with --data, for instance what export-feedback wrote
from rated answers, and writes the router model with it to --out. Every
other profile predicts exactly what it did. A catalog model whose ID names
the profile (the default name) is then predicted by it instead of its
stand-in: serve --router-model DIR. With several --model flags the profiles
are added one after the other, each anchored on the ones before it, as
running the command once per model would.`

func runAddProfile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("add-profile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, addProfileUsage)
		fs.PrintDefaults()
	}
	var data stringList
	fs.Var(&data, "data", "routing dataset folder with the model's labelled answers; repeatable")
	var modelNames stringList
	fs.Var(&modelNames, "model", "the dataset model whose labels teach the profile (a catalog model ID for export-feedback's data); repeatable")
	var profileNames stringList
	fs.Var(&profileNames, "profile", "the new profile's name (default: the model's profile name, under which the gateway uses it); with several --model, one per model, in their order")
	base := fs.String("router-model", "", "folder with the router model to extend (default: the embedded one)")
	out := fs.String("out", "", "folder to write the extended router model to (required)")
	val := fs.Float64("val", 0.2, "share of prompts held out to measure the new profile before it is fitted on all of them (0 = none)")
	seed := fs.Int64("seed", 1, "seed of the held-out split")
	minLabels := fs.Int("min-labels", newprofile.DefaultMinLabels, "fewest labelled answers to add a profile from")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" || len(modelNames) == 0 || len(data) == 0 {
		fs.Usage()
		return usagef("add-profile: --data, --model and --out are required")
	}
	// Refused before any work: the second copy would fail after the first
	// was written to --out.
	for i, m := range modelNames {
		if slices.Contains(modelNames[:i], m) {
			return fmt.Errorf("add-profile: --model %s is named twice", m)
		}
	}
	for i, p := range profileNames {
		if slices.Contains(profileNames[:i], p) {
			return fmt.Errorf("add-profile: --profile %s is named twice", p)
		}
	}
	if len(profileNames) > 0 && len(profileNames) != len(modelNames) {
		return fmt.Errorf("add-profile: %d --profile for %d --model: name every new profile, in the order of --model, or none", len(profileNames), len(modelNames))
	}
	// Two spellings of one model (a provider prefix, another case) take one
	// default profile name: the second would fail after the first was
	// written, so the names the profiles will have are compared here.
	profiles := make([]string, len(modelNames))
	for i, m := range modelNames {
		if profiles[i] = models.ProfileName(m); len(profileNames) > 0 {
			profiles[i] = profileNames[i]
		}
		if j := slices.Index(profiles[:i], profiles[i]); j >= 0 {
			return fmt.Errorf("add-profile: --model %s and --model %s both take the profile name %q: add one of them, or name each with --profile",
				modelNames[j], m, profiles[i])
		}
	}
	if !(*val >= 0 && *val < 1) { // NaN too
		return fmt.Errorf("add-profile: --val %g: want a share in [0, 1)", *val)
	}
	if *minLabels < 1 {
		return fmt.Errorf("add-profile: --min-labels %d: want at least 1", *minLabels)
	}
	if err := checkOutDir(*out); err != nil {
		return fmt.Errorf("add-profile: %w", err)
	}
	// The files it writes are train's: a folder where files of those names
	// are another tool's is refused as train refuses it.
	if err := pipeline.CheckOut(*out); err != nil {
		return fmt.Errorf("add-profile: %w", err)
	}
	// A folder named twice is read once, as train reads it: twice, every
	// labelled answer would count double, and half the --min-labels would do.
	data, repeated := pipeline.DistinctFolders(data)
	for _, d := range repeated {
		fmt.Fprintf(stderr, "add-profile: --data %s was already named: read once\n", d)
	}
	files, err := loadArtifacts(*base)
	if err != nil {
		return fmt.Errorf("add-profile: %w", err)
	}
	// A later --model whose profile the base has already would likewise
	// fail after the earlier ones were written.
	if len(modelNames) > 1 {
		card, err := models.ParseCard(files.RouterJSON)
		if err != nil {
			return fmt.Errorf("add-profile: %w", err)
		}
		for i, p := range profiles {
			if slices.Contains(card.Profiles, p) {
				return fmt.Errorf("add-profile: --model %s: %w", modelNames[i], newprofile.ExistingProfileError(card, p))
			}
		}
	}
	for i, model := range modelNames {
		profile := ""
		if len(profileNames) > 0 {
			profile = profileNames[i]
		}
		if i > 0 { // the next profile extends the model just written
			if files, err = loadArtifacts(*out); err != nil {
				return fmt.Errorf("add-profile: %w", err)
			}
		}
		res, err := newprofile.Add(newprofile.Options{Base: files, Data: data, Model: model, Profile: profile, Out: *out,
			ValFrac: *val, Seed: *seed, MinLabels: *minLabels})
		if err != nil {
			if i > 0 {
				return fmt.Errorf("add-profile: %w (%s holds the profiles of %s)", err, *out, strings.Join(modelNames[:i], ", "))
			}
			return fmt.Errorf("add-profile: %w", err)
		}
		printAdded(stdout, res, *out)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "serve it with: modelrouter serve --router-model %s (a server already running from it: POST /router-model/reload or SIGHUP)\n", *out)
	return nil
}

// loadArtifacts reads the router model in dir (the embedded one for "")
// and checks its files against its card, so that an error names the
// folder to fix.
func loadArtifacts(dir string) (models.ArtifactFiles, error) {
	if dir == "" {
		return models.Artifacts()
	}
	files, err := models.LoadArtifacts(os.DirFS(dir))
	if err == nil {
		var card models.Card
		if card, err = models.ParseCard(files.RouterJSON); err == nil {
			err = card.Verify(files.RouterONNX, files.TokenizerJSON)
		}
	}
	if err != nil {
		return files, fmt.Errorf("router model in %s: %w", dir, err)
	}
	return files, nil
}

func printAdded(w io.Writer, res *newprofile.Result, out string) {
	a := res.Added
	fmt.Fprintf(w, "added profile %s: %s of %s (%s; length factor %.2f)\n", a.Profile,
		counted(a.Labels, "labelled answer", "labelled answers"), a.Model, counted(a.Lengths, "with an answer length", "with answer lengths"), a.LengthFactor)
	if a.AnchorLabels > 0 {
		fmt.Fprintf(w, "scale: anchored on the labels in the same data of %s (%s), shift %+.3f logits\n", strings.Join(a.AnchorProfiles, ", "), counted(a.AnchorLabels, "answer", "answers"), a.AnchorShift)
	} else {
		fmt.Fprintln(w, "scale: no existing profile is labelled in the same data, so its quality is on that data's scale; label another model on the same prompts to anchor it")
	}
	if v := a.Validation; v != nil {
		auc := "n/a (one class)"
		if v.AUC != nil {
			auc = fmt.Sprintf("%.3f", *v.AUC)
		}
		fmt.Fprintf(w, "held out %s: BCE %.4f (its mean score alone %.4f), AUC %s, mean predicted %.3f vs true %.3f\n",
			counted(v.Prompts, "prompt", "prompts"), v.BCE, v.ConstantBCE, auc, v.MeanPredicted, v.MeanTrue)
	}
	fmt.Fprintf(w, "wrote %s: %s, content hash %s\n", out, counted(len(res.Card.Profiles), "profile", "profiles"), res.Card.ContentHash)
}
