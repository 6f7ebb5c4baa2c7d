package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A labelled model without a price says what to do about it: add its
// prices to this dataset's models.json under the format's two fields. It
// said only that there was no price.
func TestPriceOfSaysHowToGiveTheMissingPrice(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mix")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"priced": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2},
		"per-token": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(
		`{"id": "mix/1", "source": "mix", "task": "t", "prompt": "hi", "input_tokens": 1, "results": {"priced": {"score": 1, "output_tokens": 5}, "unlisted": {"score": 0, "output_tokens": 5}, "per-token": {"score": 1, "output_tokens": 5}}}`+"\n"), 0o644))
	d, err := Load(dir)
	require.NoError(t, err)

	_, err = d.PriceOf("priced")
	require.NoError(t, err)
	for _, m := range []string{"unlisted", "per-token"} {
		_, err := d.PriceOf(m)
		require.Error(t, err, m)
		assert.ErrorContains(t, err, `"`+m+`" has quality labels but no price in dataset mix`)
		assert.ErrorContains(t, err, filepath.Join(dir, "models.json"), "names the file to fix")
		assert.ErrorContains(t, err, `"input_usd_per_mtok"`)
		assert.ErrorContains(t, err, `"output_usd_per_mtok"`)
		// What every command can do; eval adds the --candidates that
		// leaves the model out (eval.BuildTable), train has no such flag.
		assert.NotContains(t, err.Error(), "--candidates")
	}
}
