package dataset

import (
	"os"
	"path/filepath"
	"strings"
)

// Licences of the canonical datasets whose licence permits training the
// shipped default model (per each dataset's README in ../shared/data).
// Others (routerbench-zs, split2_model7: no licence file) are research-only
// and need an explicit flag.
var Licences = map[string]string{
	"zeroeval-math":      "Apache-2.0",
	"mmlu-pro":           "Apache-2.0",
	"llmrouter":          "MIT",
	"arena-hard-lengths": "Apache-2.0",
}

// Licensed reports whether a dataset may train the shipped default model.
func Licensed(name string) bool { _, ok := Licences[name]; return ok }

// OwnTrafficHeader ends the first line of the README.md that
// `modelrouter export-feedback` writes into its folder: what tells a
// deployment's own rated answers from other data.
const OwnTrafficHeader = ": rated answers from a modelrouter decision log"

// OwnTrafficLicence is what the trainer records as the licence of an
// export-feedback folder.
const OwnTrafficLicence = "own traffic (export-feedback)"

// OwnTraffic reports whether dir is a folder export-feedback wrote: the
// deployment's own rated answers, which it may train its router model on
// as it may the licensed datasets. Were it unlicensed, training on it
// would need --allow-unlicensed, which also takes in the research-only
// datasets of a root such as ../shared/data/canonical.
func OwnTraffic(dir string) bool {
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(readme), "\n")
	return strings.HasSuffix(first, OwnTrafficHeader)
}

// MayTrain reports whether the dataset folder dir may train a router model
// without --allow-unlicensed: a licensed dataset, or the deployment's own
// traffic.
func MayTrain(dir string) bool {
	return Licensed(LicenceName(dir)) || OwnTraffic(dir)
}

// LicenceName is the name a dataset's licence goes by: that of the folder
// dir resolves to, links followed (its own and any above it). The name a
// link was given is the user's: a link mp to canonical/mmlu-pro is
// mmlu-pro's data, and one named mmlu-pro that points at routerbench-zs is
// still research-only. A folder that does not resolve goes by its name.
func LicenceName(dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return NameOf(dir)
}

// Licence is the licence the trainer records for d: a licensed dataset's
// (by the folder d was read from, links followed: LicenceName),
// OwnTrafficLicence for an export-feedback folder, "" for none.
func (d *Dataset) Licence() string {
	name := d.Name
	if d.Dir != "" {
		name = LicenceName(d.Dir)
	}
	if l, ok := Licences[name]; ok {
		return l
	}
	if d.Dir != "" && OwnTraffic(d.Dir) {
		return OwnTrafficLicence
	}
	return ""
}

// DefaultRoot returns the canonical datasets folder next to the checkout
// (../shared/data/canonical, searched upward from the working directory),
// or "" when there is none.
func DefaultRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for range 6 {
		p := filepath.Join(dir, "..", "shared", "data", "canonical")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return filepath.Clean(p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// RootOf returns the canonical datasets folder that one of the --data
// folders dirs is, or holds it as a dataset, where the data folder around
// it also holds arena_hard_auto (as ../shared/data does): the answers and
// the leaderboard that train reads by default lie there. "" when none is.
// train run from another working directory with --data naming the
// canonical folder then reads the same data as from the checkout.
func RootOf(dirs []string) string {
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		for _, root := range []string{abs, filepath.Dir(abs)} {
			if st, err := os.Stat(filepath.Join(filepath.Dir(root), "arena_hard_auto")); err == nil && st.IsDir() {
				return root
			}
		}
	}
	return ""
}
