package dataset

import (
	"os"
	"path/filepath"
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
