package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IsFolder reports whether dir is a dataset folder. A dataset holds
// models.json and items.jsonl; a folder with either is taken for one, so
// that Load names the file it lacks rather than the half-written dataset
// being passed over in silence (and whatever train or eval read before,
// going by one file each, is still read). A symbolic link to a dataset
// folder is one: Stat follows it, where a directory entry's IsDir does not.
func IsFolder(dir string) bool {
	for _, f := range []string{"models.json", "items.jsonl"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}

// Folders is the rule by which train and eval read a --data folder: dir
// itself when it is a dataset (self true), else the datasets in it, linked
// in or not, in name order (entries that are files, links to files or
// links to nothing are not datasets). A folder with none is an error; where
// its subfolders hold datasets a level further down (held-out/routellm/
// mt-bench), the error names them, since --data reads a dataset or a
// folder of them, not a tree. So is a folder with datasets beside such a
// group (holdout/mmlu and holdout/pool8/a): read, it would leave the
// group out. The caller says which flag dir came from.
func Folders(dir string) (dirs []string, self bool, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, false, err
	}
	if !st.IsDir() {
		return nil, false, errors.New("not a folder")
	}
	if IsFolder(dir) {
		return []string{dir}, true, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	for _, e := range entries {
		if sub := filepath.Join(dir, e.Name()); IsFolder(sub) {
			dirs = append(dirs, sub)
		}
	}
	deeper := groupsOfDatasets(dir, entries)
	if len(dirs) > 0 && len(deeper) > 0 {
		// Read as a folder of datasets, the groups' datasets would be left
		// out without a word, as a folder one level too high is not read.
		return nil, false, fmt.Errorf("it holds datasets, and its subfolders %s hold datasets a level further down, which --data does not read: pass each of them as its own --data, or put the datasets side by side in one folder (linked in with ln -s or not)",
			strings.Join(deeper, ", "))
	}
	if len(dirs) > 0 {
		return dirs, false, nil
	}
	if len(deeper) > 0 {
		return nil, false, fmt.Errorf("no routing dataset (models.json + items.jsonl) in it; its subfolders %s hold datasets: pass one of them as --data, or put the datasets side by side in one folder (linked in with ln -s or not)",
			strings.Join(deeper, ", "))
	}
	return nil, false, errors.New("no routing dataset (models.json + items.jsonl) in it, nor in its subfolders")
}

// groupsOfDatasets are the subfolders of dir (its entries) that are no
// dataset but hold a dataset folder themselves.
func groupsOfDatasets(dir string, entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if IsFolder(sub) {
			continue
		}
		inner, err := os.ReadDir(sub)
		if err != nil {
			continue
		}
		for _, f := range inner {
			if IsFolder(filepath.Join(sub, f.Name())) {
				out = append(out, sub)
				break
			}
		}
	}
	return out
}
