package corpus

import (
	"fmt"
	"sort"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// LevelsInfo says what a leaderboard added to the corpus.
type LevelsInfo struct {
	Dataset string   `json:"dataset"`
	File    string   `json:"file"`
	Models  []string `json:"models"`           // profiles that got the level
	Labels  int      `json:"labels"`           // (prompt, profile) pairs labelled with it
	Unused  []string `json:"unused,omitempty"` // leaderboard models with no profile or no answer there
}

// HasDataset reports whether a dataset of that name is in the corpus.
func (c *Corpus) HasDataset(name string) bool { return c.datasetIndex(name) >= 0 }

// datasetIndex is the index of the named dataset in Datasets, or -1.
func (c *Corpus) datasetIndex(name string) int {
	for i, d := range c.Datasets {
		if d.Name == name {
			return i
		}
	}
	return -1
}

// AddLevels labels the prompts of lv.Dataset with the leaderboard's level of
// every profile that answered them and has no score there: the profile's
// mean on those prompts, the same on each. They go into Example.Levels, not
// Labels, so they train the model (Samples) but never count as a per-prompt
// truth in validation, bands or leave-out scores. Leaderboard models
// without a profile (no per-prompt label anywhere) or without answers in
// the dataset are listed in Unused: a profile known only by its level could
// not be checked on any prompt.
func (c *Corpus) AddLevels(lv *dataset.Levels) (LevelsInfo, error) {
	info := LevelsInfo{Dataset: lv.Dataset, File: lv.File}
	d := c.datasetIndex(lv.Dataset)
	if d < 0 {
		return info, fmt.Errorf("levels %s: no dataset %q among the training data", lv.File, lv.Dataset)
	}
	index := map[string]int{}
	for i, p := range c.Profiles {
		index[p] = i
	}
	used := map[int]bool{}
	for i := range c.Examples {
		ex := &c.Examples[i]
		if ex.Dataset != d {
			continue
		}
		for _, l := range ex.Labels {
			level, ok := lv.Scores[c.Profiles[l.Profile]]
			if !ok || l.HasScore() {
				continue
			}
			ex.Levels = append(ex.Levels, Label{Profile: l.Profile, Score: level})
			used[l.Profile] = true
			info.Labels++
		}
	}
	for p := range lv.Scores {
		if i, ok := index[p]; ok && used[i] {
			info.Models = append(info.Models, p)
		} else {
			info.Unused = append(info.Unused, p)
		}
	}
	if info.Labels == 0 {
		return info, fmt.Errorf("levels %s: no profile of the leaderboard answered a prompt of %s", lv.File, lv.Dataset)
	}
	sort.Strings(info.Models)
	sort.Strings(info.Unused)
	c.Datasets[d].LevelLabels += info.Labels
	return info, nil
}
