package eval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/progress"
)

// RouterEstimates are a router model's predictions on a table, with the
// predicted answer lengths kept for predictions.jsonl.
type RouterEstimates struct {
	Estimates
	OutputTokens [][]float64
}

// Predict asks the router model for every row's prediction in batches and
// turns each candidate's profile estimate into predicted quality and
// expected cost (router.ExpectedCost, as the gateway does). A candidate
// whose profile the model does not predict is an error naming it.
func Predict(ctx context.Context, p router.Predictor, t *Table, batch int, log io.Writer) (RouterEstimates, error) {
	if batch <= 0 {
		batch = 128
	}
	n := len(t.Rows)
	est := RouterEstimates{
		Estimates:    Estimates{Quality: make([][]float64, n), Cost: make([][]float64, n)},
		OutputTokens: make([][]float64, n),
	}
	if log == nil {
		log = io.Discard
	}
	bar := progress.New(log, int64(n), "eval: router predictions")
	defer bar.Finish()
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		prompts := make([]string, 0, hi-lo)
		for _, r := range t.Rows[lo:hi] {
			prompts = append(prompts, r.Item.Text())
		}
		preds, err := p.Predict(ctx, prompts)
		if err != nil {
			return est, fmt.Errorf("router model: %w", err)
		}
		if len(preds) != len(prompts) {
			return est, fmt.Errorf("router model: %d predictions for %d prompts", len(preds), len(prompts))
		}
		for k, pred := range preds {
			i := lo + k
			q := make([]float64, len(t.Candidates))
			c := make([]float64, len(t.Candidates))
			o := make([]float64, len(t.Candidates))
			for j, cand := range t.Candidates {
				e, ok := pred[cand.Profile]
				if !ok {
					return est, missingProfile(cand, pred)
				}
				q[j], o[j] = e.Quality, e.OutputTokens
				c[j] = router.ExpectedCost(cand.Model(), t.Rows[i].Item.InputTokens, e.OutputTokens)
				// What the gateway would exclude (router.Unusable) is no
				// number to evaluate: where every candidate had one, the
				// policy (router.Pick) would find no choice.
				if why := router.Unusable(e, c[j]); why != "" {
					return est, fmt.Errorf("router model: unusable estimate for candidate %q on prompt %s: %s", cand.Name, t.Rows[i].Item.ID, why)
				}
			}
			est.Quality[i], est.Cost[i], est.OutputTokens[i] = q, c, o
		}
		bar.Add(int64(hi - lo))
	}
	return est, nil
}

func missingProfile(c Candidate, pred router.Prediction) error {
	have := make([]string, 0, len(pred))
	for p := range pred {
		have = append(have, p)
	}
	sort.Strings(have)
	hint := ""
	if near := nearestProfiles(c.Profile, have); len(near) > 0 {
		hint = fmt.Sprintf(" (closest by name: %s)", strings.Join(near, ", "))
	}
	return fmt.Errorf("candidate %q maps to profile %q, which the router model does not predict; pass --map %s=<profile>%s with one of: %s",
		c.Name, c.Profile, c.Name, hint, strings.Join(have, ", "))
}

// nearestProfiles are the profiles sharing the longest leading part of
// the name with profile, when that part is at least a family name
// ("gpt-4-", "mixtral-8x"): a hint for --map, not a choice made for the
// user, since a stand-in's levels may be far from the model's.
func nearestProfiles(profile string, have []string) []string {
	const minShared = 5
	best := 0
	var out []string
	for _, h := range have {
		n := 0
		for n < len(h) && n < len(profile) && h[n] == profile[n] {
			n++
		}
		switch {
		case n < minShared || n < best:
		case n > best:
			best, out = n, []string{h}
		default:
			out = append(out, h)
		}
	}
	return out
}

// CheckMap fails early, naming the first --map entry (by dataset model)
// whose profile is not among the router model's profiles. Checked before
// the candidates are chosen: the default set leaves out a model without a
// profile, so a mistyped profile would otherwise surface as an error about
// something else.
func CheckMap(mapping map[string]string, profiles []string) error {
	if len(profiles) == 0 {
		return nil
	}
	have := slices.Sorted(slices.Values(profiles))
	for _, m := range slices.Sorted(maps.Keys(mapping)) {
		p := mapping[m]
		if slices.Contains(have, p) {
			continue
		}
		hint := ""
		if near := nearestProfiles(p, have); len(near) > 0 {
			hint = fmt.Sprintf(" (closest by name: %s)", strings.Join(near, ", "))
		}
		return fmt.Errorf("--map %s=%s: the router model does not predict profile %q%s; profiles: %s",
			m, p, p, hint, strings.Join(have, ", "))
	}
	return nil
}

// CheckProfiles fails early, naming the first candidate whose profile is
// not among the router model's profiles (from router.json).
func CheckProfiles(t *Table, profiles []string) error {
	if len(profiles) == 0 {
		return nil
	}
	pred := router.Prediction{}
	for _, p := range profiles {
		pred[p] = router.Estimate{}
	}
	for _, c := range t.Candidates {
		if !slices.Contains(profiles, c.Profile) {
			return missingProfile(c, pred)
		}
	}
	return nil
}

// truth are the oracle's "predictions": the true scores and costs.
func truth(t *Table) Estimates {
	e := Estimates{Quality: make([][]float64, len(t.Rows)), Cost: make([][]float64, len(t.Rows))}
	for i, r := range t.Rows {
		e.Quality[i], e.Cost[i] = r.Score, r.Cost
	}
	return e
}
