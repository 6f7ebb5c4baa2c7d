package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file saved by an editor or a spreadsheet as "UTF-8 with BOM" (Notepad,
// Excel's CSV UTF-8, PowerShell 5) looks the same as one without: train,
// eval and add-profile read it, rather than stop at line 1 with
// "invalid character 'ï'", which names nothing the user can see.
func TestLoadReadsFilesThatStartWithAByteOrderMark(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "toy")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte(bomText+`{"models": {"a": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(bomText+
		`{"id": "toy/1", "prompt": "hi", "input_tokens": 1, "results": {"a": {"score": 1, "output_tokens": 5}}}`+"\r\n"+
		`{"id": "toy/2", "prompt": "there", "input_tokens": 1, "results": {"a": {"score": 0, "output_tokens": 5}}}`+"\r\n"), 0o644))
	d, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, 2.0, d.Models["a"].Output)
	require.Len(t, d.Items, 2)
	assert.Equal(t, "toy/1", d.Items[0].ID)
}

// A line of spaces or tabs (a blank line an editor indented, a trailing
// line with a stray space) is a blank line, skipped as an empty one is,
// not "line 3: unexpected end of JSON input".
func TestLoadSkipsLinesOfOnlyWhitespace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "toy")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {"a": {}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
		`{"id": "toy/1", "prompt": "hi", "results": {"a": {"score": 1}}}`+"\n  \n\t\r\n"+
			`{"id": "toy/2", "prompt": "there", "results": {"a": {"score": 0}}}`+"\n \n"), 0o644))
	d, err := Load(dir)
	require.NoError(t, err)
	assert.Len(t, d.Items, 2)
}

// Excel's "CSV UTF-8" starts with a byte order mark, which would make the
// header's first column "\ufeffmodel": the error then printed
// "header [model score]: want a model and a score column".
func TestLoadLevelsReadsACSVThatStartsWithAByteOrderMark(t *testing.T) {
	lv, err := readLevels(strings.NewReader(bomText + "model,score\r\ngpt-4-turbo-2024-04-09,82.63\r\n"))
	require.NoError(t, err)
	assert.InDelta(t, 0.8263, lv.Scores["gpt-4-turbo-2024-04-09"], 1e-12)
}

// bomText is the byte order mark as such editors write it.
const bomText = "\ufeff"
