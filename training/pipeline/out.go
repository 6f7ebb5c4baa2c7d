package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/models"
)

// artifactNames are the files train writes into --out (WriteArtifactFiles).
var artifactNames = []string{models.RouterONNXFile, models.TokenizerJSONFile, models.RouterJSONFile, models.ProvenanceFile}

// CheckOut refuses, before any work, an --out whose files train (or
// add-profile, which writes the same files the same way) would replace but
// that is not a router model's folder: they replace a router model's files
// (the default --out is models/artifacts), not another tool's files that
// happen to have their names. A router model's folder is told by its
// router.json, a router model's card. Without one, a folder that holds
// router.onnx is what a write stopped midway leaves (WriteArtifactFiles
// writes router.onnx first and router.json after tokenizer.json), and no
// other tool names its file router.onnx, so it is ours to finish. Without
// either, any file of those names (a Hugging Face model's tokenizer.json,
// say) is someone else's. A new or empty folder, or one without those
// names, is fine.
func CheckOut(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, models.RouterJSONFile))
	if errors.Is(err, fs.ErrNotExist) {
		if info, err := os.Lstat(filepath.Join(dir, models.RouterONNXFile)); err == nil && info.Mode().IsRegular() {
			return nil
		}
		for _, name := range artifactNames {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				return fmt.Errorf("--out %s holds %s but no %s, so it is not a router model's folder (nor one a stopped write left, which holds %s); the router model's files %v would replace it: choose another --out, or move that file away",
					dir, name, models.RouterJSONFile, models.RouterONNXFile, artifactNames)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--out %s: %w", dir, err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if _, err := models.ParseCard(b); err != nil {
		return fmt.Errorf("--out %s: its %s is not a router model's card (%v), and only a router model's files are replaced: choose another --out, or move that file away",
			dir, models.RouterJSONFile, err)
	}
	return nil
}
