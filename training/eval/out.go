package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/models"
)

// reportFile is the file WriteDir writes first; reportFiles are all it
// may write.
const reportFile = "report.json"

var reportFiles = []string{reportFile, "report.md", "predictions.jsonl", "curves.png", "share.png"}

// CheckOut refuses, before any work, an eval --out folder that is not an
// eval's: WriteDir replaces its files without asking, which is what a
// rerun into the folder an earlier eval wrote wants, but not a router
// model's folder (router.json, router.onnx or tokenizer.json: an --out
// mistyped for --router-model) nor another tool's files that happen to
// have a report's names. An eval's folder is told by its report.json, an
// eval report; without one (WriteDir writes it first, so even a stopped
// eval leaves it), any file of a report's names is someone else's. A new
// or empty folder is fine.
func CheckOut(dir string) error {
	for _, name := range []string{models.RouterJSONFile, models.RouterONNXFile, models.TokenizerJSONFile} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("--out %s holds %s, so it is a router model's folder, and eval's report files %v would go in beside it: choose another --out (the router model to evaluate is --router-model)",
				dir, name, reportFiles)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--out %s: %w", dir, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, reportFile))
	if errors.Is(err, fs.ErrNotExist) {
		for _, name := range reportFiles[1:] {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				return fmt.Errorf("--out %s holds %s but no %s, so no eval wrote it, and eval's report files %v would replace it: choose another --out, or move that file away",
					dir, name, reportFile, reportFiles)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--out %s: %w", dir, err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if !isReport(b) {
		return fmt.Errorf("--out %s: its %s is not an eval report (a JSON object with dataset, router and baselines), and only an earlier eval's files are replaced: choose another --out, or move that file away",
			dir, reportFile)
	}
	return nil
}

// isReport reports whether b is a report.json an eval wrote: Report's
// dataset, router and baselines, there since eval's first report.
func isReport(b []byte) bool {
	var r struct {
		Dataset   *string                     `json:"dataset"`
		Router    *map[string]json.RawMessage `json:"router"`
		Baselines *map[string]json.RawMessage `json:"baselines"`
	}
	return json.Unmarshal(b, &r) == nil && r.Dataset != nil && r.Router != nil && r.Baselines != nil
}
