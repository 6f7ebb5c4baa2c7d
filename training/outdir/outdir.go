// Package outdir guards the --out folder of an offline command that writes
// a fixed set of files into it (eval's reports, simulate's summary). A
// rerun into the folder an earlier run wrote replaces them, which is what
// it wants; a router model's folder (an --out typed for --router-model), or
// another tool's files that happen to have the same names, are refused
// before any work, rather than mixed into or replaced without a word.
package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/models"
)

// Files are the files one command writes into its --out folder.
type Files struct {
	// Command names the command in errors ("eval").
	Command string
	// Names are every file it writes. The first is the one it writes
	// first, so even a run stopped midway leaves it: it tells the
	// command's folder.
	Names []string
	// Mine reports whether the first file's content is one the command
	// writes; What says what that is, for the error when it is not ("an
	// eval report (a JSON object with dataset, router and baselines)").
	Mine func([]byte) bool
	What string
}

// routerModelFiles tell a router model's folder (train's --out).
var routerModelFiles = []string{models.RouterJSONFile, models.RouterONNXFile, models.TokenizerJSONFile}

// Check refuses dir as f.Command's --out when it holds a router model's
// files, when it holds any of f.Names but not the first, or when the first
// is not f.Command's (f.Mine). A new or empty folder, or one an earlier
// run wrote, is fine.
func (f Files) Check(dir string) error {
	for _, name := range routerModelFiles {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("--out %s holds %s, so it is a router model's folder, and %s's files %v would go in beside it: choose another --out (a router model to use is --router-model)",
				dir, name, f.Command, f.Names)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--out %s: %w", dir, err)
		}
	}
	first := f.Names[0]
	b, err := os.ReadFile(filepath.Join(dir, first))
	if errors.Is(err, fs.ErrNotExist) {
		for _, name := range f.Names[1:] {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				return fmt.Errorf("--out %s holds %s but no %s, so no %s wrote it, and %s's files %v would replace it: choose another --out, or move that file away",
					dir, name, first, f.Command, f.Command, f.Names)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--out %s: %w", dir, err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if !f.Mine(b) {
		return fmt.Errorf("--out %s: its %s is not %s, and only an earlier %s's files are replaced: choose another --out, or move that file away",
			dir, first, f.What, f.Command)
	}
	return nil
}
