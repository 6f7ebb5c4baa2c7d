package dataset

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
)

// CheckScore refuses a score outside [0, 1] or not finite, with the rule
// and the conversion a judge scale needs (the usual way to break it).
// train, eval and add-profile read scores through Load, which applies it to
// every line, so the three agree on what a dataset may hold: clamped, a
// judge's 1-10 scale would become all 1s; negative, the oracle would have
// no pick.
func CheckScore(s float64) error {
	if !(s >= 0 && s <= 1) { // NaN fails both comparisons
		return fmt.Errorf("score %g is outside [0,1]: the routing dataset format wants every score in [0,1] (judge scores 1-10 become (s-1)/9, see the data README)", s)
	}
	return nil
}

// check applies the format's value rules to one item: an id; a prompt to
// read; every score in [0,1]; token counts not negative (a negative count
// would be a negative cost in eval and in the band sweep). An output_tokens of 0
// is allowed: the canonical data has empty answers, read as no answer
// length.
func (it *Item) check() error {
	// eval joins predictions.jsonl back to the data by id and draws the knn
	// and fitted-profile folds from its hash: items without one all landed
	// in one fold, and knn, fitted on no prompt, picked one model for all.
	if strings.TrimSpace(it.ID) == "" {
		return fmt.Errorf(`no "id": every prompt needs an id of its own, such as "<dataset>/<n>"`)
	}
	// A prompt column under another name ("question", "text") leaves every
	// item without text, and train and eval would read the empty text for
	// each one, with labels that then teach nothing and scores that say
	// nothing. export-feedback skips rated answers with no text for the same
	// reason.
	if strings.TrimSpace(it.Text()) == "" {
		return fmt.Errorf(`no prompt text: the item needs a "prompt" (or "messages" with text), which the router model reads`)
	}
	if it.InputTokens < 0 {
		return fmt.Errorf("input_tokens %d: a token count cannot be negative", it.InputTokens)
	}
	for _, m := range slices.Sorted(maps.Keys(it.Results)) {
		r := it.Results[m]
		if r.Score != nil {
			if err := CheckScore(*r.Score); err != nil {
				return fmt.Errorf("model %q: %w", m, err)
			}
		}
		if o := r.OutputTokens; o != nil && !(*o >= 0 && !math.IsInf(*o, 1)) {
			return fmt.Errorf("model %q: output_tokens %g: want a finite count >= 0, or null where the source has no answer", m, *o)
		}
	}
	return nil
}

// PriceOf returns a labelled model's price. A model with quality labels but
// no entry in models.json, or an entry without input_usd_per_mtok and
// output_usd_per_mtok as numbers, is an error (the format prices every
// model of items.jsonl): priced at $0 it would be the cheapest candidate
// everywhere. eval (for its candidates) and train (for every labelled
// model, whose price picks the bands) use it, so both refuse the same data
// with the same words, and say what to do about it (priceFix); eval adds
// the --candidates that leaves the model out (eval.BuildTable).
func (d *Dataset) PriceOf(model string) (Price, error) {
	p, ok := d.Models[model]
	if !ok {
		return Price{}, fmt.Errorf("%q has quality labels but no price in dataset %s: models.json has no entry for it; %s", model, d.Name, d.priceFix(model))
	}
	if why := d.priceFieldsMissing(model); why != "" {
		return Price{}, fmt.Errorf("%q has quality labels but no price in dataset %s: %s; %s", model, d.Name, why, d.priceFix(model))
	}
	return p, nil
}

// priceFix is what to do about model's missing price in any command: give
// it one in this dataset's models.json, under the format's two fields.
// Leaving the model out is eval's way alone (train has no --candidates),
// so eval says it, with the list to pass.
func (d *Dataset) priceFix(model string) string {
	file := "the dataset's models.json"
	if d.Dir != "" {
		file = filepath.Join(d.Dir, "models.json")
	}
	return fmt.Sprintf(`add its prices to %s as {"models": {%q: {"input_usd_per_mtok": IN, "output_usd_per_mtok": OUT}}}, USD per million tokens`,
		file, model)
}
