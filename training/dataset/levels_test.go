package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadLevelsReadsPercentByProfile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "board.csv")
	// Arena-Hard's columns, quoted CI with a comma included.
	require.NoError(t, os.WriteFile(f, []byte(`model,score,rating_q025,rating_q975,CI,avg_tokens,date
gpt-4-turbo-2024-04-09,82.63,80.75,84.6,"(-1.88, +1.97)",662.0,2024-07-31
mistral-large-2407,70.42,68.0,72.0,"(-2.10, +1.27)",500.0,2024-07-31
mixtral-8x7b-instruct-v0.1,23.4,21.0,25.0,"(-2.0, +2.0)",400.0,2024-07-31
`), 0o644))
	lv, err := LoadLevels(LevelSource{Dataset: "arena-hard-lengths", File: f})
	require.NoError(t, err)
	assert.Equal(t, "arena-hard-lengths", lv.Dataset)
	assert.InDelta(t, 0.8263, lv.Scores["gpt-4-turbo-2024-04-09"], 1e-12)
	assert.InDelta(t, 0.234, lv.Scores["mixtral-8x7b-instruct-v0.1"], 1e-12)
	assert.InDelta(t, 0.7042, lv.Scores["mistral-large-2"], 1e-12, "keyed by profile: Arena-Hard's mistral-large-2407 is zeroeval-math's Mistral-Large-2")
	assert.Len(t, lv.Scores, 3)
}

func TestLoadLevelsRejectsWhatItCannotRead(t *testing.T) {
	for body, want := range map[string]string{
		"name,value\na,1\n":     "want a model and a score column",
		"model,score\na,150\n":  "score in percent",
		"model,score\na,-1\n":   "score in percent",
		"model,score\na,high\n": "score in percent",
		"model,score\n,50\n":    "score in percent",
		"model,score\n":         "no rows",
		"model,score\nMixtral-8x7B-Instruct-v0.1,20\nmistralai/mixtral-8x7b-chat,21\n": "both profile mixtral-8x7b-instruct-v0.1",
	} {
		_, err := readLevels(strings.NewReader(body))
		assert.ErrorContains(t, err, want, body)
	}
	_, err := LoadLevels(LevelSource{Dataset: "d", File: filepath.Join(t.TempDir(), "missing.csv")})
	assert.ErrorContains(t, err, "missing.csv")
}

func TestParseLevelSource(t *testing.T) {
	src, err := ParseLevelSource("arena-hard-lengths=/data/board.csv")
	require.NoError(t, err)
	assert.Equal(t, LevelSource{Dataset: "arena-hard-lengths", File: "/data/board.csv"}, src)
	for _, bad := range []string{"board.csv", "=board.csv", "arena-hard-lengths="} {
		_, err := ParseLevelSource(bad)
		assert.ErrorContains(t, err, "want DATASET=FILE", bad)
	}
}
