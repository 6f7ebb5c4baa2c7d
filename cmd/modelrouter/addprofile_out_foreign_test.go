package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// add-profile writes a router model's files into --out, as train does, and
// refuses as train does a folder where files of those names are another
// tool's (a Hugging Face model's tokenizer.json, notes in a PROVENANCE.md,
// a router.json that is not a router model's card): it leaves them as they
// were and writes nothing.
func TestAddProfileLeavesAnotherToolsFilesInOutAlone(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 120)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"hugging face model", map[string]string{models.TokenizerJSONFile: `{"version": "1.0", "model": {"type": "BPE"}}`,
			"config.json": `{"architectures": ["BertModel"]}`}, "holds tokenizer.json but no router.json"},
		{"notes", map[string]string{models.ProvenanceFile: "# Provenance of something else\n"}, "holds PROVENANCE.md but no router.json"},
		{"another card", map[string]string{models.RouterJSONFile: `{"routes": []}`}, "is not a router model's card"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			for name, body := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(out, name), []byte(body), 0o644))
			}

			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"add-profile", "--data", data, "--model", gpt5mini, "--out", out}, &stdout, &stderr)
			require.ErrorContains(t, err, tc.want)
			for name, body := range tc.files {
				assert.Equal(t, body, string(mustRead(t, filepath.Join(out, name))), "add-profile replaced %s", name)
			}
			assert.NoFileExists(t, filepath.Join(out, models.RouterONNXFile), "add-profile wrote a router model among another tool's files")
		})
	}
}

// What an add-profile stopped while writing leaves (router.onnx, no
// router.json yet) is its own: running it again finishes the folder.
func TestAddProfileFinishesAFolderItsInterruptedWriteLeft(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, models.RouterONNXFile), files.RouterONNX, 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini, "--out", out},
		&stdout, &stderr), stderr.String())
	card, err := models.ParseCard(mustRead(t, filepath.Join(out, models.RouterJSONFile)))
	require.NoError(t, err)
	assert.Contains(t, card.Profiles, gpt5mini)
}
