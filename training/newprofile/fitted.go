package newprofile

import (
	"fmt"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/eval"
	"github.com/modelrouter/modelrouter/training/fit"
)

// Fitted is eval's fitted-profiles row: the router model with every
// candidate predicted by a profile fitted, as Add fits one, on the labels
// of the rows eval lets it learn from (the other folds, or the prompts
// outside the holdout). It answers what add-profile would give a user who
// has that many rated answers of each model, next to the knn baseline,
// which learns from the same rows.
type Fitted struct {
	*base
	profiles map[string]int
	// z is each prompt's head input, computed once for all folds and
	// candidates (the representation does not change).
	z map[string][]float32
}

var _ eval.InDomain = (*Fitted)(nil)

// NewFitted reads the router model whose representation the profiles are
// fitted on.
func NewFitted(files models.ArtifactFiles) (*Fitted, error) {
	b, err := readBase(files)
	if err != nil {
		return nil, err
	}
	f := &Fitted{base: b, profiles: map[string]int{}, z: map[string][]float32{}}
	for i, p := range b.card.Profiles {
		f.profiles[p] = i
	}
	return f, nil
}

// FitPredict fits one profile per candidate on the train rows and predicts
// the test rows with them. As in Add, the columns are fitted on the data's
// scale (the train labels' shift from the candidates' mapped profiles) and
// moved back onto the model's, where the gateway's relative bands apply.
func (f *Fitted) FitPredict(t *eval.Table, train, test []int, est eval.Estimates) error {
	zs := make(map[int][]float32, len(train)+len(test))
	for _, rows := range [][]int{train, test} {
		for _, i := range rows {
			zs[i] = f.headInput(t.Rows[i].Item.Text())
		}
	}
	delta, err := f.shift(t, train, zs)
	if err != nil {
		return err
	}
	opt := fit.DefaultAddOptions
	opt.Shift = delta
	for _, i := range test {
		est.Quality[i] = make([]float64, len(t.Candidates))
		est.Cost[i] = make([]float64, len(t.Candidates))
	}
	if len(train) == 0 { // nothing to fit on (a one-prompt task): the router's own prediction
		for j, c := range t.Candidates {
			m := f.profiles[c.Profile]
			for _, i := range test {
				q, out := fit.ProfileColumn(f.w, m).Predict(zs[i])
				est.Quality[i][j] = q
				est.Cost[i][j] = router.ExpectedCost(c.Model(), t.Rows[i].Item.InputTokens, out)
			}
		}
		return nil
	}
	for j, c := range t.Candidates {
		examples := make([]fit.ColumnExample, 0, len(train))
		for _, i := range train {
			e := fit.ColumnExample{Z: zs[i], Score: t.Rows[i].Score[j]}
			if r := t.Rows[i].Item.Results[c.Name]; r.OutputTokens != nil {
				e.OutputTokens = *r.OutputTokens // the source's, not eval's stand-in mean
			}
			examples = append(examples, e)
		}
		col, err := fit.FitColumn(f.w, examples, opt)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		col.Quality[f.w.Spec.Z] -= delta // back onto the model's scale, as Add does
		factor := lengthFactor(col, examples)
		for _, i := range test {
			q, out := col.Predict(zs[i])
			out *= factor
			est.Quality[i][j] = q
			est.Cost[i][j] = router.ExpectedCost(c.Model(), t.Rows[i].Item.InputTokens, out)
		}
	}
	return nil
}

// headInput is the prompt's head input, read as the classifier reads it;
// all zeros for a prompt with no text to read.
func (f *Fitted) headInput(text string) []float32 {
	if z, ok := f.z[text]; ok {
		return z
	}
	z := make([]float32, f.w.Spec.Z)
	if ids := f.tok.EncodeWindow(text, f.head, f.tail); len(ids) > 0 {
		z = f.w.HeadInput(ids)
	}
	f.z[text] = z
	return z
}

// shift is Add's anchor shift on the train rows: how far this data's
// scores sit from what the candidates' mapped profiles predict.
func (f *Fitted) shift(t *eval.Table, train []int, zs map[int][]float32) (float64, error) {
	var logits, scores []float64
	for j, c := range t.Candidates {
		m, ok := f.profiles[c.Profile]
		if !ok {
			return 0, fmt.Errorf("candidate %q maps to profile %q, which the router model does not predict", c.Name, c.Profile)
		}
		col := fit.ProfileColumn(f.w, m)
		for _, i := range train {
			logit, _ := col.Logits(zs[i])
			logits = append(logits, logit)
			scores = append(scores, t.Rows[i].Score[j])
		}
	}
	return scaleShift(logits, scores), nil
}
