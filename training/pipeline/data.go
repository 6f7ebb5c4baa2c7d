package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// ResolveData turns --data arguments into dataset folders, by the rule
// eval reads its --data by (dataset.Folders): a dataset folder is one; a
// folder of them (like ../shared/data/canonical), linked in or not,
// stands for the datasets in it. Without
// arguments the canonical root found by dataset.DefaultRoot is used.
//
// Only licensed datasets (dataset.Licensed, by the folder a link resolves
// to) and a deployment's own rated answers (dataset.OwnTraffic) train
// without a flag: unlicensed ones
// found under a root are skipped (and listed in skipped)
// unless allowUnlicensed is set; an unlicensed dataset named explicitly
// without allowUnlicensed is an error, so nothing is left out silently.
//
// A dataset folder reached twice (--data X --data X, or a root and a
// dataset in it) is read once: twice, every prompt and label would count
// double and the copy would get a score offset of its own. The repeats
// are listed in repeated (as named) for the caller to say so.
func ResolveData(args []string, allowUnlicensed bool) (dirs, skipped, repeated []string, err error) {
	if len(args) == 0 {
		root := dataset.DefaultRoot()
		if root == "" {
			return nil, nil, nil, errors.New("no training data: no ../shared/data/canonical folder was found above the working directory; " +
				"pass --data DIR (a dataset folder with models.json and items.jsonl, or a folder of such folders), repeatable; through make: make train TRAIN_FLAGS='--data DIR'")
		}
		args = []string{root}
	}
	var named []string // every dataset folder reached, repeats included
	for _, a := range args {
		// The same rule as eval's: a dataset, or a folder of them, linked in or not.
		found, self, err := dataset.Folders(a)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("--data %s: %w", a, err)
		}
		if self {
			if !dataset.MayTrain(a) && !allowUnlicensed {
				return nil, nil, nil, fmt.Errorf("--data %s: dataset %s has no licence recorded for training the shipped model (licensed: %s, and folders export-feedback wrote); pass --allow-unlicensed to train on it anyway (research use)",
					a, licenceNamed(a), licensedNames())
			}
			named = append(named, a)
			continue
		}
		for _, sub := range found {
			if !dataset.MayTrain(sub) && !allowUnlicensed {
				skipped = append(skipped, licenceNamed(sub))
				continue
			}
			named = append(named, sub)
		}
	}
	dirs, repeated = DistinctFolders(named)
	if len(dirs) == 0 {
		return nil, skipped, nil, fmt.Errorf("no licensed dataset among %v (skipped %v); pass --allow-unlicensed to train on them (research use)", args, skipped)
	}
	sort.Strings(dirs)
	return dirs, skipped, repeated, nil
}

// DistinctFolders drops the folders of dirs already named (two spellings of
// one folder, as folderKey compares them), keeping the first of each in
// order; the dropped ones are returned in repeated, as named. Commands that
// read --data dataset folders themselves (add-profile) read each once, as
// ResolveData does for train.
func DistinctFolders(dirs []string) (distinct, repeated []string) {
	seen := map[string]bool{}
	for _, d := range dirs {
		key := folderKey(d)
		if seen[key] {
			repeated = append(repeated, d)
			continue
		}
		seen[key] = true
		distinct = append(distinct, d)
	}
	return distinct, repeated
}

// folderKey names a folder by its cleaned absolute path, links resolved
// where they can be, so two spellings of one folder compare equal.
func folderKey(dir string) string {
	if p, err := filepath.EvalSymlinks(dir); err == nil {
		dir = p
	}
	if p, err := filepath.Abs(dir); err == nil {
		return p
	}
	return filepath.Clean(dir)
}

// licenceNamed names the dataset in dir as a licence refusal or skip
// does: by its name, and by the folder it resolves to where that is named
// otherwise, since the licence goes by that one (dataset.LicenceName).
func licenceNamed(dir string) string {
	name, real := dataset.NameOf(dir), dataset.LicenceName(dir)
	if real == name {
		return name
	}
	return fmt.Sprintf("%s (a link to %s)", name, real)
}

func licensedNames() string {
	var n []string
	for k := range dataset.Licences {
		n = append(n, k)
	}
	sort.Strings(n)
	return fmt.Sprint(n)
}
