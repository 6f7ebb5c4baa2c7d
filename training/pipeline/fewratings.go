package pipeline

import (
	"maps"
	"slices"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// DefaultMinTrafficLabels is the fewest rated prompts of a deployment's own
// traffic that a model gets a profile of its own from: add-profile's
// --min-labels default (newprofile.DefaultMinLabels, which imports this
// package).
const DefaultMinTrafficLabels = 50

// FewRatings is a model whose own-traffic ratings were left out: too few
// for a profile of its own.
type FewRatings struct {
	Profile string `json:"profile"`
	Labels  int    `json:"labels"`
}

// DropFewRatings removes, in place, the results of own-traffic datasets
// (export-feedback folders) whose model would get a profile from them alone
// with fewer than min rated prompts. Every model with a quality label
// becomes a profile, and serve predicts a catalog model by its own profile
// instead of its stand-in: a profile learned from a handful of ratings
// would replace one learned from thousands of labels, and one bad rating
// would put the model near zero in every later decision. A model that the
// other training data labels keeps its ratings, which only refine it.
// Returned sorted by profile.
func DropFewRatings(sets []*dataset.Dataset, min int) []FewRatings {
	labelled := map[string]bool{} // profiles labelled outside own traffic
	rated := map[string]int{}     // own-traffic prompts with a score, per profile
	for _, d := range sets {
		own := d.Licence() == dataset.OwnTrafficLicence
		for _, it := range d.Items {
			seen := map[string]bool{}
			for m, r := range it.Results {
				p := dataset.Canonical(m)
				switch {
				case r.Score == nil:
				case !own:
					labelled[p] = true
				case !seen[p]:
					seen[p] = true
					rated[p]++
				}
			}
		}
	}
	var out []FewRatings
	for _, p := range slices.Sorted(maps.Keys(rated)) {
		if !labelled[p] && rated[p] < min {
			out = append(out, FewRatings{Profile: p, Labels: rated[p]})
		}
	}
	if len(out) == 0 {
		return nil
	}
	drop := map[string]bool{}
	for _, f := range out {
		drop[f.Profile] = true
	}
	for _, d := range sets {
		if d.Licence() != dataset.OwnTrafficLicence {
			continue
		}
		for k := range d.Items {
			for m := range d.Items[k].Results {
				if drop[dataset.Canonical(m)] {
					delete(d.Items[k].Results, m)
				}
			}
		}
	}
	return out
}
