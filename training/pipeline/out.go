package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/models"
)

// checkOut refuses an --out whose router.json is not a router model's
// card, before any work: train replaces a router model's files (the
// default --out is models/artifacts), not another tool's file that
// happens to have the name.
func checkOut(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, models.RouterJSONFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if _, err := models.ParseCard(b); err != nil {
		return fmt.Errorf("--out %s: its %s is not a router model's card (%v); train replaces a router model's files only: choose another --out, or move that file away",
			dir, models.RouterJSONFile, err)
	}
	return nil
}
