package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/modelrouter/modelrouter/training/wordpiece"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShippedArtifacts checks the committed router model: the card matches
// the files, the ONNX file is within the size limit and its shapes agree
// with the card and the tokenizer. (training/onnx checks that ONNX Runtime
// and the Go forward pass agree on it.)
func TestShippedArtifacts(t *testing.T) {
	dir := filepath.Join("..", "..", "models", "artifacts")
	if _, err := os.Stat(filepath.Join(dir, models.RouterONNXFile)); errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	files, err := models.LoadArtifacts(os.DirFS(dir))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	require.NoError(t, card.Verify(files.RouterONNX, files.TokenizerJSON))
	assert.LessOrEqual(t, len(files.RouterONNX), MaxONNXBytes)

	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	assert.Equal(t, len(card.Profiles), w.Spec.Profiles)
	assert.Equal(t, card.Spec.MaxLen, card.Truncation.Head+card.Truncation.Tail)
	enc, err := wordpiece.Load(bytes.NewReader(files.TokenizerJSON))
	require.NoError(t, err)
	assert.Equal(t, w.Spec.Vocab, enc.VocabSize())

}

// TestShippedModelMeetsItsTargets holds the committed model to the bars the
// training run measured on its validation prompts: a calibrated quality
// (ECE <= 0.05) and bands whose realised quality loss stays within 2 % and
// 6 %. A retrained model that misses them must not be committed.
func TestShippedModelMeetsItsTargets(t *testing.T) {
	card := shippedCard(t)
	var m struct {
		Validation struct {
			ECE float64 `json:"ece"`
		} `json:"validation"`
		Bands struct {
			Balanced struct {
				Band float64 `json:"band"`
				Loss float64 `json:"relative_quality_loss"`
			} `json:"balanced"`
			Cost struct {
				Band float64 `json:"band"`
				Loss float64 `json:"relative_quality_loss"`
			} `json:"cost"`
		} `json:"bands"`
	}
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	assert.Positive(t, m.Validation.ECE)
	assert.LessOrEqual(t, m.Validation.ECE, 0.05)
	assert.LessOrEqual(t, m.Bands.Balanced.Loss, 0.02)
	assert.LessOrEqual(t, m.Bands.Cost.Loss, 0.06)
	assert.Equal(t, card.Bands.Balanced, m.Bands.Balanced.Band, "router.json's bands are the calibrated ones")
	assert.Equal(t, card.Bands.Cost, m.Bands.Cost.Band)
	assert.Less(t, card.Bands.Balanced, card.Bands.Cost)
}

// TestShippedModelReportsLeaveOneTaskOut holds the committed card to issue
// 2's validation: a leave-one-task-out score for every task large enough,
// measured on the whole task.
func TestShippedModelReportsLeaveOneTaskOut(t *testing.T) {
	card := shippedCard(t)
	var m Metrics
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	require.NotEmpty(t, m.LeaveOneTaskOut, "retrain with `modelrouter train` (leave-one-task-out is on by default)")
	for _, l := range m.LeaveOneTaskOut {
		assert.GreaterOrEqual(t, l.Prompts, DefaultLOTOMinPrompts, l.Task)
		assert.Positive(t, l.RankedPairs, l.Task)
		assert.True(t, l.WithinPromptAUC > 0 && l.WithinPromptAUC < 1, "%s: within-prompt AUC %g", l.Task, l.WithinPromptAUC)
		assert.LessOrEqual(t, l.TrainedBestSingle, l.BestSingle+1e-9, "%s: hindsight best single is the best fixed choice", l.Task)
	}
}

// shippedCard reads the committed router.json, skipping the test where no
// model has been trained yet.
func shippedCard(t *testing.T) models.Card {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "models", "artifacts", models.RouterJSONFile))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	require.NoError(t, err)
	card, err := models.ParseCard(raw)
	require.NoError(t, err)
	return card
}

// TestShippedModelTrainedOnlyOnLicensedData holds the committed card to
// issue 2's licence rule (only datasets whose README permits training the
// shipped model; others need --allow-unlicensed) and the README's table of
// what the default was trained on to the card: the same datasets, with
// the same licences and prompt counts.
func TestShippedModelTrainedOnlyOnLicensedData(t *testing.T) {
	card := shippedCard(t)
	require.NotEmpty(t, card.Training)
	want := map[string][2]string{}
	for _, d := range card.Training {
		assert.True(t, dataset.Licensed(d.Name), "the shipped model was trained on %s, which has no licence for it", d.Name)
		assert.Equal(t, dataset.Licences[d.Name], d.Licence, d.Name)
		want[d.Name] = [2]string{d.Licence, strconv.Itoa(d.Items)}
	}

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, table, found := strings.Cut(string(readme), "\n| dataset (shipped model) |")
	require.True(t, found, "README.md has no table of the shipped model's datasets")
	table, _, _ = strings.Cut(table, "\n\n")
	got := map[string][2]string{}
	for _, line := range strings.Split(table, "\n")[2:] { // after the header's rest and the rule
		cells := strings.Split(strings.Trim(line, "| "), "|")
		require.GreaterOrEqual(t, len(cells), 3, line)
		name := strings.TrimSpace(cells[0])
		if strings.ContainsAny(name, " `") { // leaderboard and answers: no labelled prompts
			continue
		}
		got[name] = [2]string{strings.TrimSpace(cells[1]), strings.ReplaceAll(strings.TrimSpace(cells[2]), ",", "")}
	}
	assert.Equal(t, want, got, "README's table of the shipped model's datasets (licence, prompts) against router.json's training_data")
}

// The README's count of the answers the shipped tokenizer learned from is
// the one PROVENANCE.md (written by train from the answers it used)
// states: --tokenizer-answers is only an upper bound, reached only when
// every answer file has its share.
func TestReadmeCountsTheShippedTokenizersAnswers(t *testing.T) {
	prov, err := os.ReadFile(filepath.Join("..", "..", "models", "artifacts", models.ProvenanceFile))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	require.NoError(t, err)
	m := regexp.MustCompile(`training prompts and (\d+) Arena-Hard model answers`).FindSubmatch(prov)
	require.NotNil(t, m, "PROVENANCE.md does not count the tokenizer's answers")
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	r := regexp.MustCompile("\\*\\*Tokenizer\\*\\*: WordPiece \\(`training/wordpiece`\\) learned from the training prompts plus ([\\d,]+) Arena-Hard answers").FindSubmatch(readme)
	require.NotNil(t, r, "README.md's tokenizer line does not count its answers")
	require.Equal(t, string(m[1]), strings.ReplaceAll(string(r[1]), ",", ""), "README's tokenizer answers against PROVENANCE.md's")
}
