package wordpiece

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
)

var corpus = []string{
	"What is the derivative of x squared? Explain step by step.",
	"What is the capital of France?",
	"Write a Python function that reverses a string.",
	"The answer is 42. What is the question?",
	"Solve for x: 3x + 5 = 20. Show the steps.",
	"Translate 'good morning' into German.",
}

func trainCorpus(t *testing.T, size int) ([]byte, *Encoder) {
	t.Helper()
	return trainOn(t, corpus, size)
}

func trainOn(t *testing.T, corpus []string, size int) ([]byte, *Encoder) {
	t.Helper()
	var texts []string
	for range 5 { // repeat so merges pass MinFrequency
		texts = append(texts, corpus...)
	}
	b, err := Train(texts, Options{VocabSize: size, MinFrequency: 2})
	require.NoError(t, err)
	e, err := Load(bytes.NewReader(b))
	require.NoError(t, err)
	return b, e
}

func TestTrainWritesTheContractsTokenizerJSON(t *testing.T) {
	b, e := trainCorpus(t, 200)
	var doc struct {
		Normalizer    map[string]any `json:"normalizer"`
		PreTokenizer  map[string]any `json:"pre_tokenizer"`
		PostProcessor any            `json:"post_processor"`
		Model         struct {
			Type   string         `json:"type"`
			Unk    string         `json:"unk_token"`
			Prefix string         `json:"continuing_subword_prefix"`
			Max    int            `json:"max_input_chars_per_word"`
			Vocab  map[string]int `json:"vocab"`
		} `json:"model"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "Sequence", doc.Normalizer["type"])
	normalizers := doc.Normalizer["normalizers"].([]any)
	require.Len(t, normalizers, 2)
	assert.Equal(t, "NFKC", normalizers[0].(map[string]any)["type"])
	assert.Equal(t, "BertNormalizer", normalizers[1].(map[string]any)["type"])
	assert.Equal(t, true, normalizers[1].(map[string]any)["lowercase"])
	assert.Equal(t, "BertPreTokenizer", doc.PreTokenizer["type"])
	assert.Nil(t, doc.PostProcessor, "no [CLS]/[SEP]")
	assert.Equal(t, "WordPiece", doc.Model.Type)
	assert.Equal(t, "[UNK]", doc.Model.Unk)
	assert.Equal(t, "##", doc.Model.Prefix)
	assert.Equal(t, 100, doc.Model.Max)
	assert.Equal(t, PadID, doc.Model.Vocab[PadToken])
	assert.Equal(t, UnkID, doc.Model.Vocab[UnkToken])
	assert.LessOrEqual(t, len(doc.Model.Vocab), 200)
	assert.Equal(t, len(doc.Model.Vocab), e.VocabSize())
	// ids are dense 0..n-1
	seen := make([]bool, len(doc.Model.Vocab))
	for _, id := range doc.Model.Vocab {
		require.False(t, seen[id], "duplicate id %d", id)
		seen[id] = true
	}
}

func TestFrequentWordsBecomeSingleTokens(t *testing.T) {
	_, e := trainCorpus(t, 200)
	for _, w := range []string{"what", "the", "is"} {
		ids, err := e.Encode(w)
		require.NoError(t, err)
		assert.Len(t, ids, 1, w)
		assert.NotEqual(t, int64(UnkID), ids[0], w)
	}
	// case is folded, so "WHAT" is the same token
	a, _ := e.Encode("what")
	b, _ := e.Encode("WHAT")
	assert.Equal(t, a, b)
}

func TestUnseenCharactersEncodeAsUnknown(t *testing.T) {
	_, e := trainCorpus(t, 200)
	ids, err := e.Encode("what 漢字")
	require.NoError(t, err)
	require.Len(t, ids, 3) // Chinese characters are split one per word
	assert.Equal(t, []int64{UnkID, UnkID}, ids[1:])
	ids, err = e.Encode("")
	require.NoError(t, err)
	assert.Empty(t, ids)
}

func TestRareWordsSplitIntoContinuationPieces(t *testing.T) {
	b, e := trainCorpus(t, 200)
	ids, err := e.Encode("whatstep")
	require.NoError(t, err)
	require.Greater(t, len(ids), 1)
	var doc struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	names := map[int64]string{}
	for s, id := range doc.Model.Vocab {
		names[int64(id)] = s
	}
	for _, id := range ids[1:] {
		assert.True(t, strings.HasPrefix(names[id], "##"), names[id])
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	a, _ := trainCorpus(t, 150)
	b, _ := trainCorpus(t, 150)
	assert.Equal(t, a, b)
}

func TestTrainRejectsBadInput(t *testing.T) {
	_, err := Train(nil, DefaultOptions)
	assert.ErrorContains(t, err, "no training texts")
	_, err = Train([]string{"a"}, Options{VocabSize: 3})
	assert.ErrorContains(t, err, "too small")
	_, err = Train([]string{"   "}, DefaultOptions)
	assert.ErrorContains(t, err, "no words")
	_, err = Load(strings.NewReader("{"))
	assert.Error(t, err)
}

// pasted holds text as web pages and word processors give it, and the
// plain text it shows.
var pasted = []struct{ pasted, plain string }{
	{"What\u00a0is\u00a0the capital of France\u00a0?", "What is the capital of France ?"},
	{"Ｗｈａｔ ｉｓ ｔｈｅ ａｎｓｗｅｒ？ ４２", "What is the answer? 42"},
	{"Solve\u2002for x\u3000step\u2009by step", "Solve for x step by step"},
	{"the ﬁrst step", "the first step"},
	{"Translate 'cafe\u0301' into German.", "Translate 'café' into German."},
	{"Translate 'café'\u00a0into German.", "Translate 'café' into German."},
}

// trainWithPlainText learns a vocabulary that holds the plain texts'
// characters (é among them).
func trainWithPlainText(t *testing.T) ([]byte, *Encoder) {
	texts := append([]string{}, corpus...)
	for _, c := range pasted {
		texts = append(texts, c.plain)
	}
	return trainOn(t, texts, 300)
}

// The vocabulary is learned from the NFKC form, so pasted text encodes as
// the plain text it shows.
func TestPastedTextEncodesLikeItsPlainForm(t *testing.T) {
	_, e := trainWithPlainText(t)
	for _, c := range pasted {
		want, err := e.Encode(c.plain)
		require.NoError(t, err)
		got, err := e.Encode(c.pasted)
		require.NoError(t, err)
		assert.Equalf(t, want, got, "%+q", c.pasted)
		assert.NotContainsf(t, got, int64(UnkID), "%+q", c.pasted)
	}
	w, err := Words("Ｗｈａｔ\u00a0ﬁrst")
	require.NoError(t, err)
	assert.Equal(t, []string{"what", "first"}, w)
}

// Training encodes with sugarme (Encoder) and the gateway with the
// classifier's tokenizer: on pasted text too they must give the same ids.
func TestTrainedTokenizerReadsPastedTextAsTheClassifierDoes(t *testing.T) {
	b, e := trainWithPlainText(t)
	tok, err := classifier.NewTokenizer(b)
	require.NoError(t, err)
	for _, c := range pasted {
		for _, text := range []string{c.pasted, c.plain} {
			want, err := e.Encode(text)
			require.NoError(t, err)
			assert.Equalf(t, want, tok.Encode(text), "%+q", text)
		}
	}
}

// A tokenizer.json without NFKC, as an older router model's, encodes as
// before: the Encoder does not fold what its file does not.
func TestTokenizerWithoutNFKCEncodesPastedTextUnfolded(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(files.TokenizerJSON, &raw))
	seq := raw["normalizer"].(map[string]any)["normalizers"].([]any)
	raw["normalizer"] = seq[len(seq)-1] // the BertNormalizer alone
	old, err := json.Marshal(raw)
	require.NoError(t, err)
	e, err := Load(bytes.NewReader(old))
	require.NoError(t, err)
	ids, err := e.Encode("hello\u00a0world")
	require.NoError(t, err)
	assert.Equal(t, []int64{UnkID}, ids)
}
