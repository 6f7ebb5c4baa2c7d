// Package newprofile adds a profile to a trained router model from a few
// hundred labelled answers of one model (say, rated answers that
// export-feedback wrote for a model the router only knew by a stand-in),
// without retraining anything else: the prompt representation and every
// other profile's outputs stay exactly as they were (fit.FitColumn,
// fit.AppendColumn).
package newprofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/fit"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/modelrouter/modelrouter/training/pipeline"
)

// Options say which model to extend, from which labels, and where to.
type Options struct {
	Base  models.ArtifactFiles // the trained router model
	Data  []string             // routing dataset folders
	Model string               // the dataset model whose labels teach the profile
	// Profile names the new profile; default models.ProfileName(Model),
	// the name under which the gateway uses it for a catalog model.
	Profile string
	Out     string
	// ValFrac of the prompts (by a seeded hash of their text) is held out
	// to measure a column fitted without them; the written column is then
	// fitted on all of them.
	ValFrac   float64
	Seed      int64
	MinLabels int // fewer labelled answers is an error
}

// DefaultMinLabels is the fewest labelled answers a profile is added from.
const DefaultMinLabels = 50

// minLengthsForFactor is how many answer lengths it takes to scale the
// fitted length to the mean (as training does per profile).
const minLengthsForFactor = 30

// Result is what Add did.
type Result struct {
	Added models.AddedProfile
	Card  models.Card
}

// example is one labelled answer of the new profile, or of an existing
// profile that anchors the data's scale.
type example struct {
	text    string
	ids     []int64
	score   float64
	tokens  float64 // 0 when unknown
	profile int     // existing profile's column (anchors only)
}

// base is the router model a profile is fitted on, read and checked.
type base struct {
	card       models.Card
	w          *arch.Weights
	tok        *classifier.Tokenizer
	head, tail int // what the classifier reads of a prompt
}

func readBase(files models.ArtifactFiles) (*base, error) {
	card, err := models.ParseCard(files.RouterJSON)
	if err != nil {
		return nil, err
	}
	if err := card.Verify(files.RouterONNX, files.TokenizerJSON); err != nil {
		return nil, err
	}
	w, err := onnx.Read(files.RouterONNX)
	if err != nil {
		return nil, err
	}
	tok, err := classifier.NewTokenizer(files.TokenizerJSON)
	if err != nil {
		return nil, err
	}
	b := &base{card: card, w: w, tok: tok, head: card.Truncation.Head, tail: card.Truncation.Tail}
	if b.head <= 0 && b.tail <= 0 {
		b.head, b.tail = classifier.DefaultHead, classifier.DefaultTail
	}
	return b, nil
}

// Add fits the new profile and writes the extended artifacts to opt.Out.
func Add(opt Options) (*Result, error) {
	b, err := readBase(opt.Base)
	if err != nil {
		return nil, err
	}
	card, w, tok, head, tail := b.card, b.w, b.tok, b.head, b.tail
	if strings.TrimSpace(opt.Model) == "" {
		return nil, errors.New("name the dataset model whose labels teach the profile (--model)")
	}
	profile := opt.Profile
	if profile == "" {
		profile = models.ProfileName(opt.Model)
	}
	if slices.Contains(card.Profiles, profile) {
		return nil, ExistingProfileError(card, profile)
	}
	own, anchors, names, err := readLabels(opt.Data, opt.Model, card.Profiles)
	if err != nil {
		return nil, err
	}
	ids := map[string][]int64{} // a prompt labelled for several models is read once
	own, anchors = tokenize(tok, own, head, tail, ids), tokenize(tok, anchors, head, tail, ids)
	minLabels := opt.MinLabels
	if minLabels <= 0 {
		minLabels = DefaultMinLabels
	}
	if len(own) < minLabels {
		return nil, fmt.Errorf("%d labelled answers of %q in %s; a profile needs at least %d (a few hundred is better)",
			len(own), opt.Model, strings.Join(opt.Data, ", "), minLabels)
	}

	added := models.AddedProfile{Profile: profile, Model: opt.Model, Datasets: names, Labels: len(own), BaseContentHash: card.ContentHash, LengthFactor: 1}
	for _, e := range own {
		if e.tokens > 0 {
			added.Lengths++
		}
	}
	added.AnchorShift, added.AnchorLabels, added.AnchorProfiles = anchorShift(w, anchors, card.Profiles)
	fitOpt := fit.DefaultAddOptions
	fitOpt.Shift = added.AnchorShift
	examples, err := fit.HeadInputs(w, fitExamples(own))
	if err != nil {
		return nil, err
	}
	if opt.ValFrac > 0 {
		added.Validation, err = validate(w, own, examples, opt.ValFrac, opt.Seed, fitOpt)
		if err != nil {
			return nil, err
		}
	}
	col, err := fit.FitColumn(w, examples, fitOpt)
	if err != nil {
		return nil, err
	}
	col.Quality[w.Spec.Z] -= added.AnchorShift // back onto the model's scale
	added.LengthFactor = lengthFactor(col, examples)
	col.Length[w.Spec.Z] += math.Log(added.LengthFactor)
	w2 := fit.AppendColumn(w, col)

	newCard, err := write(opt.Out, opt.Base, card, w2, added)
	if err != nil {
		return nil, err
	}
	return &Result{Added: added, Card: newCard}, nil
}

// readLabels collects the model's labelled answers and, as anchors, the
// labels of models the router model predicts already, with the profile the
// gateway would use for them (their own, or a catalog model's stand-in:
// export-feedback's data names catalog models).
func readLabels(dirs []string, model string, profiles []string) (own, anchors []example, names []string, err error) {
	if len(dirs) == 0 {
		return nil, nil, nil, errors.New("give the labelled answers with --data DIR (a routing dataset, e.g. export-feedback's)")
	}
	cat, err := models.Catalog()
	if err != nil {
		return nil, nil, nil, err
	}
	column := map[string]int{}
	for i, p := range profiles {
		column[p] = i
	}
	seen := map[string]bool{}
	for _, dir := range dirs {
		d, err := dataset.Load(dir)
		if err != nil {
			return nil, nil, nil, err
		}
		names = append(names, d.Name)
		for i := range d.Items {
			it := &d.Items[i]
			text := it.Text()
			for name, r := range it.Results {
				if r.Score == nil {
					continue
				}
				seen[name] = true
				e := example{text: text, score: *r.Score, profile: -1}
				if r.OutputTokens != nil {
					e.tokens = *r.OutputTokens
				}
				if name == model {
					own = append(own, e)
				} else if p, ok := models.GatewayProfile(name, profiles, cat); ok {
					e.profile = column[p]
					anchors = append(anchors, e)
				}
			}
		}
	}
	if !seen[model] {
		var have []string
		for n := range seen {
			have = append(have, n)
		}
		slices.Sort(have)
		return nil, nil, nil, fmt.Errorf("no labelled answer of %q in %s; models with labels: %s", model, strings.Join(dirs, ", "), strings.Join(have, ", "))
	}
	return own, anchors, names, nil
}

// tokenize reads each prompt as the classifier does (once per text, kept
// in seen) and drops prompts with no text to read.
func tokenize(tok *classifier.Tokenizer, set []example, head, tail int, seen map[string][]int64) []example {
	out := set[:0]
	for _, e := range set {
		ids, ok := seen[e.text]
		if !ok {
			ids = tok.EncodeWindow(e.text, head, tail)
			seen[e.text] = ids
		}
		if e.ids = ids; len(ids) > 0 {
			out = append(out, e)
		}
	}
	return out
}

func fitExamples(set []example) []fit.ProfileExample {
	out := make([]fit.ProfileExample, len(set))
	for i, e := range set {
		out[i] = fit.ProfileExample{IDs: e.ids, Score: e.score, OutputTokens: e.tokens}
	}
	return out
}

// anchorShift is the one shift δ that best fits the existing profiles'
// labels in this data as sigmoid(their logit + δ): how far the data's
// scale (a thumbs-up rate, a judge score) sits from the model's. Scores of
// different sources are not on one scale; the new column, fitted on this
// data, is moved back by δ so that it compares with the other profiles.
func anchorShift(w *arch.Weights, anchors []example, profiles []string) (float64, int, []string) {
	if len(anchors) == 0 {
		return 0, 0, nil
	}
	logits := make([]float64, len(anchors))
	used := map[string]bool{}
	zs := map[string][]float32{} // one pass per prompt, however many models it labels
	cols := map[int]fit.Column{}
	for i, e := range anchors {
		z, ok := zs[e.text]
		if !ok {
			z = w.HeadInput(e.ids)
			zs[e.text] = z
		}
		col, ok := cols[e.profile]
		if !ok {
			col = fit.ProfileColumn(w, e.profile)
			cols[e.profile] = col
		}
		logits[i], _ = col.Logits(z)
		used[profiles[e.profile]] = true
	}
	scores := make([]float64, len(anchors))
	for i, e := range anchors {
		scores[i] = e.score
	}
	delta := scaleShift(logits, scores)
	var names []string
	for n := range used {
		names = append(names, n)
	}
	slices.Sort(names)
	return delta, len(anchors), names
}

// scaleShift is the δ that best fits the scores as sigmoid(logit + δ).
func scaleShift(logits, scores []float64) float64 {
	// A ridge on δ keeps a handful of anchor labels, all rated good, say,
	// from pushing it towards infinity: it weighs like four labels at even
	// odds that say the two scales agree.
	const ridge = 1.0
	objective := func(d float64) float64 {
		f := ridge / 2 * d * d
		for i, y := range scores {
			z := logits[i] + d
			f += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - y*z // BCE of sigmoid(z) against y
		}
		return f
	}
	delta, f := 0.0, objective(0)
	// Newton's method on a convex function of one variable, with a
	// backtracking line search: where every p is near 0 or 1 a full step
	// overshoots, and plain Newton swings between two values for good.
	for range 100 {
		g, h := ridge*delta, ridge
		for i, y := range scores {
			p := 1 / (1 + math.Exp(-(logits[i] + delta)))
			g += p - y
			h += p * (1 - p)
		}
		step, t := g/h, 1.0
		for {
			if fn := objective(delta - t*step); fn <= f-1e-4*t*g*step || t < 1e-10 {
				delta, f = delta-t*step, fn
				break
			}
			t /= 2
		}
		if math.Abs(t*step) < 1e-10 {
			break
		}
	}
	return delta
}

// validate fits the column without the held-out prompts and measures it on
// them, on the data's own scale (before the anchor shift). examples are
// own read by the model, in the same order.
func validate(w *arch.Weights, own []example, examples []fit.ColumnExample, frac float64, seed int64, fitOpt fit.AddOptions) (*models.AddedValidation, error) {
	var train, held []fit.ColumnExample
	for i, e := range own {
		if corpus.InValidation(e.text, frac, seed) {
			held = append(held, examples[i])
		} else {
			train = append(train, examples[i])
		}
	}
	if len(held) == 0 || len(train) == 0 {
		return nil, nil
	}
	col, err := fit.FitColumn(w, train, fitOpt)
	if err != nil {
		return nil, err
	}
	mean := 0.0
	for _, e := range train {
		mean += e.Score
	}
	mean /= float64(len(train))
	pred, constant, ys := make([]float64, len(held)), make([]float64, len(held)), make([]float64, len(held))
	v := &models.AddedValidation{Prompts: len(held)}
	for i, e := range held {
		pred[i], _ = col.Predict(e.Z)
		constant[i], ys[i] = mean, e.Score
		v.MeanPredicted += pred[i] / float64(len(held))
		v.MeanTrue += e.Score / float64(len(held))
	}
	v.BCE, v.ConstantBCE = calibrate.BCE(pred, ys), calibrate.BCE(constant, ys)
	if auc := calibrate.AUC(pred, ys); !math.IsNaN(auc) {
		v.AUC = &auc
	}
	return v, nil
}

// lengthFactor scales the column's fitted length (exp of a fitted log, a
// typical length) so its answers' predicted tokens sum to their true
// ones, as training does for every profile; 1 with too few lengths.
func lengthFactor(c fit.Column, examples []fit.ColumnExample) float64 {
	var pred, truth float64
	n := 0
	for _, e := range examples {
		if e.OutputTokens <= 0 {
			continue
		}
		_, l := c.Predict(e.Z)
		pred += l
		truth += e.OutputTokens
		n++
	}
	if n < minLengthsForFactor || pred <= 0 || math.IsInf(pred, 0) {
		return 1
	}
	return truth / pred
}

// write encodes the extended model and its card and writes them, with the
// unchanged tokenizer and a PROVENANCE.md, into out.
func write(out string, base models.ArtifactFiles, card models.Card, w *arch.Weights, added models.AddedProfile) (models.Card, error) {
	var model bytes.Buffer
	if err := onnx.Write(&model, w); err != nil {
		return card, err
	}
	if model.Len() > pipeline.MaxONNXBytes {
		return card, fmt.Errorf("router.onnx would be %d bytes, over the %d limit", model.Len(), pipeline.MaxONNXBytes)
	}
	now := time.Now().UTC()
	card.Version, card.Created = now.Format("2006-01-02"), now.Format(time.RFC3339)
	card.Profiles = append(slices.Clone(card.Profiles), added.Profile)
	card.Spec.Profiles = len(card.Profiles)
	card.AddedProfiles = append(slices.Clone(card.AddedProfiles), added)
	oh, th, content := models.ContentHash(model.Bytes(), base.TokenizerJSON)
	card.SHA256 = map[string]string{models.RouterONNXFile: oh, models.TokenizerJSONFile: th}
	card.ContentHash = content
	cardJSON, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return card, err
	}
	return card, pipeline.WriteArtifactFiles(out, model.Bytes(), base.TokenizerJSON, cardJSON, provenance(card, base.Provenance))
}

// baseProvenanceHeading starts the trained model's own provenance inside an
// extended model's PROVENANCE.md.
const baseProvenanceHeading = "## The trained base model's provenance"

// extendedIntro opens an extended model's PROVENANCE.md.
const extendedIntro = "A trained router model with profiles added by `modelrouter add-profile`"

// provenance is an extended model's PROVENANCE.md: its added profiles, then
// the trained model's own provenance (command, seed, data and licences),
// which the folder's PROVENANCE.md held before it was extended in place. A
// base that was itself extended carries it already; it is taken from there,
// so extending again does not nest it.
func provenance(card models.Card, base []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Router model artifacts: provenance\n\n")
	fmt.Fprintf(&b, "%s (content hash `%s`). ", extendedIntro, card.ContentHash)
	trained := string(base)
	if _, after, ok := strings.Cut(trained, baseProvenanceHeading+"\n"); ok {
		trained = after
	} else if strings.Contains(trained, extendedIntro) {
		trained = "" // an extension of a model whose own provenance was not in its folder
	}
	trained = strings.TrimSpace(trained)
	if trained == "" {
		fmt.Fprintf(&b, "Every other output is the trained base model's; its training, data and metrics are in `router.json`.\n\n")
	} else {
		fmt.Fprintf(&b, "Every other output is the trained base model's; its training, data and metrics are in `router.json` and below.\n\n")
	}
	for _, a := range card.AddedProfiles {
		fmt.Fprintf(&b, "## %s\n\n", a.Profile)
		fmt.Fprintf(&b, "- Added to `%s` from %d labelled answers of `%s` (%d with answer lengths) in %s.\n", a.BaseContentHash, a.Labels, a.Model, a.Lengths, strings.Join(a.Datasets, ", "))
		if a.AnchorLabels > 0 {
			fmt.Fprintf(&b, "- Scale: anchored on %d labels of %s in the same data; shift %+.3f logits.\n", a.AnchorLabels, strings.Join(a.AnchorProfiles, ", "), a.AnchorShift)
		} else {
			b.WriteString("- Scale: no existing profile is labelled in the same data, so its quality is on that data's scale.\n")
		}
		fmt.Fprintf(&b, "- Answer lengths scaled by %.3f to their mean.\n", a.LengthFactor)
		if v := a.Validation; v != nil {
			fmt.Fprintf(&b, "- Held out: %d prompts; BCE %.4f (its fitted mean alone: %.4f), AUC %s, mean predicted %.3f vs true %.3f.\n",
				v.Prompts, v.BCE, v.ConstantBCE, fmtAUC(v.AUC), v.MeanPredicted, v.MeanTrue)
		}
		b.WriteString("\n")
	}
	if trained != "" {
		fmt.Fprintf(&b, "%s\n\n%s\n", baseProvenanceHeading, trained)
	}
	return b.String()
}

func fmtAUC(a *float64) string {
	if a == nil {
		return "n/a (one class)"
	}
	return fmt.Sprintf("%.3f", *a)
}
