package pipeline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// HiddenLabels records one --hide-labels PROFILE@DATASET: the results of
// the profile (by canonical name) removed from the dataset before training.
type HiddenLabels struct {
	Profile string `json:"profile"`
	Dataset string `json:"dataset"`
	Results int    `json:"results"`
}

// HideLabels removes, for every "profile@dataset" in specs, the profile's
// results (quality and length) from that dataset's items, in place. It is
// an experiment on the training data, not a filter users need: a model
// trained without gpt-4o's mmlu-pro labels shows, under `eval`, what the
// router predicts for a profile on prompts unlike any it was labelled on,
// which is every catalog model's situation on traffic unlike the training
// data. The profile is matched by dataset.Canonical, so a dataset's own
// model id works too. A spec naming no dataset, or a profile without
// results in it, is an error, so nothing is hidden by a typo's silence.
func HideLabels(sets []*dataset.Dataset, specs []string) ([]HiddenLabels, error) {
	var out []HiddenLabels
	for _, spec := range specs {
		i := strings.LastIndexByte(spec, '@')
		if i <= 0 || i == len(spec)-1 {
			return nil, fmt.Errorf("--hide-labels %q: want PROFILE@DATASET, e.g. gpt-4o-2024-05-13@mmlu-pro", spec)
		}
		profile, name := dataset.Canonical(spec[:i]), spec[i+1:]
		var ds *dataset.Dataset
		var names []string
		for _, d := range sets {
			names = append(names, d.Name)
			if d.Name == name {
				ds = d
			}
		}
		if ds == nil {
			sort.Strings(names)
			return nil, fmt.Errorf("--hide-labels %q: no dataset %q among the training data (%s)", spec, name, strings.Join(names, ", "))
		}
		n := 0
		for k := range ds.Items {
			for m := range ds.Items[k].Results {
				if dataset.Canonical(m) == profile {
					delete(ds.Items[k].Results, m)
					n++
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("--hide-labels %q: dataset %s has no results of profile %s", spec, name, profile)
		}
		out = append(out, HiddenLabels{Profile: profile, Dataset: name, Results: n})
	}
	return out, nil
}
