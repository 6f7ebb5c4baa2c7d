package classifier

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// A negative token id would index the embedding table from its end: such a
// tokenizer is refused when it is read, not on the prompts that use it.
func TestTokenizerRefusesANegativeID(t *testing.T) {
	_, err := NewTokenizer(tokenizerJSON(map[string]int{"[PAD]": 0, "[UNK]": 1, "hello": 2, "world": -1}, bertNormalizerCfg(true, false)))
	require.ErrorContains(t, err, `token "world" has the negative id -1`)
}

// Without spec.vocab nothing says the tokenizer fits the model; with it, a
// tokenizer whose ids pass it is refused.
func TestArtifactsNeedTheVocabularySize(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	tok, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	require.NoError(t, checkShapes(card, tok, files.RouterONNX))

	noVocab := card
	noVocab.Spec.Vocab = 0
	assert.ErrorContains(t, checkShapes(noVocab, tok, files.RouterONNX), "spec.vocab is missing")
	small := card
	small.Spec.Vocab = 10
	assert.ErrorContains(t, checkShapes(small, tok, files.RouterONNX), "but the model's vocabulary is 10")
}

// Predictions are keyed by profile name: a card naming one twice (or none)
// is refused.
func TestCardRefusesADuplicateProfileName(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(files.RouterJSON, &raw))
	profiles := raw["profiles"].([]any)
	raw["profiles"] = append(profiles, profiles[0])
	b, err := json.Marshal(raw)
	require.NoError(t, err)
	_, err = models.ParseCard(b)
	require.ErrorContains(t, err, "empty or named twice")
}
