package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A dataset's licence goes by the folder it is read from, links followed,
// its own or further up; its name stays the one it was given.
func TestLicenceGoesByTheFolderALinkResolvesTo(t *testing.T) {
	canonical, mine := filepath.Join(t.TempDir(), "canonical"), t.TempDir()
	licensed := writeFiles(t, filepath.Join(canonical, "mmlu-pro"), "models.json", "items.jsonl")
	research := writeFiles(t, filepath.Join(canonical, "routerbench-zs"), "models.json", "items.jsonl")
	if err := os.Symlink(licensed, filepath.Join(mine, "mp")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	assert.NoError(t, os.Symlink(research, filepath.Join(mine, "mmlu-pro")))
	assert.NoError(t, os.Symlink(canonical, filepath.Join(mine, "data")))

	for dir, want := range map[string]string{
		filepath.Join(mine, "mp"):                     "Apache-2.0",
		filepath.Join(mine, "mmlu-pro"):               "",
		filepath.Join(mine, "data", "mmlu-pro"):       "Apache-2.0",
		filepath.Join(mine, "data", "routerbench-zs"): "",
	} {
		d := &Dataset{Name: NameOf(dir), Dir: dir}
		assert.Equal(t, want, d.Licence(), dir)
		assert.Equal(t, want != "", MayTrain(dir), dir)
	}
	assert.Equal(t, "MIT", (&Dataset{Name: "llmrouter"}).Licence(), "a dataset read from no folder goes by its name")
}
