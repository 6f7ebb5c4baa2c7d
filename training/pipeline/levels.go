package pipeline

import (
	"path/filepath"

	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// addLevels reads each leaderboard and labels its dataset's prompts with it.
// An optional source whose dataset is not being trained on is skipped.
func addLevels(c *corpus.Corpus, srcs []dataset.LevelSource) ([]corpus.LevelsInfo, error) {
	var out []corpus.LevelsInfo
	for _, src := range srcs {
		if src.Optional && !c.HasDataset(src.Dataset) {
			continue
		}
		lv, err := dataset.LoadLevels(src)
		if err != nil {
			return nil, err
		}
		info, err := c.AddLevels(lv)
		if err != nil {
			return nil, err
		}
		info.File = filepath.Base(src.File) // no machine's path in router.json
		out = append(out, info)
	}
	return out, nil
}
