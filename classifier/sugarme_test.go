package classifier

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
	sugarme "github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model/wordpiece"
	"github.com/sugarme/tokenizer/pretrained"
)

// tokenizerJSON builds a tokenizer.json in the format the trainer writes.
func tokenizerJSON(vocab map[string]int, normalizerCfg map[string]any) []byte {
	cfg := map[string]any{
		"version":    "1.0",
		"truncation": nil,
		"padding":    nil,
		"added_tokens": []map[string]any{
			{"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
			{"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
		},
		"normalizer":     normalizerCfg,
		"pre_tokenizer":  map[string]any{"type": "BertPreTokenizer"},
		"post_processor": nil,
		"decoder":        map[string]any{"type": "WordPiece", "prefix": "##", "cleanup": true},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": vocab,
		},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(err)
	}
	return b
}

func bertNormalizerCfg(lowercase, stripAccents bool) map[string]any {
	return map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
		"strip_accents": stripAccents, "lowercase": lowercase}
}

// nfkcNormalizerCfg is the trainer's normalizer: NFKC, then the
// BertNormalizer.
func nfkcNormalizerCfg(lowercase, stripAccents bool) map[string]any {
	return map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFKC"}, bertNormalizerCfg(lowercase, stripAccents)}}
}

// withNFKC is file with NFKC put before its BertNormalizer (file as it is
// when it has NFKC already, as the shipped one does).
func withNFKC(t testing.TB, file []byte) []byte {
	t.Helper()
	raw := decodeTokenizerFile(t, file)
	raw["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFKC"}, bertNormalizerOf(t, raw)}}
	b, err := json.Marshal(raw)
	require.NoError(t, err)
	return b
}

// withoutNFKC is file with its BertNormalizer alone, as tokenizer.json was
// written before NFKC was (an older router model's).
func withoutNFKC(t testing.TB, file []byte) []byte {
	t.Helper()
	raw := decodeTokenizerFile(t, file)
	raw["normalizer"] = bertNormalizerOf(t, raw)
	b, err := json.Marshal(raw)
	require.NoError(t, err)
	return b
}

// hasNFKC says whether file's normalizer starts with NFKC.
func hasNFKC(t testing.TB, file []byte) bool {
	t.Helper()
	n, _ := decodeTokenizerFile(t, file)["normalizer"].(map[string]any)
	if n == nil || n["type"] != "Sequence" {
		return false
	}
	seq, _ := n["normalizers"].([]any)
	first, _ := seq[0].(map[string]any)
	return first != nil && first["type"] == "NFKC"
}

func decodeTokenizerFile(t testing.TB, file []byte) map[string]any {
	t.Helper()
	var raw map[string]any
	require.NoError(t, json.Unmarshal(file, &raw))
	return raw
}

// bertNormalizerOf is the BertNormalizer of a decoded file, alone or last
// in its Sequence.
func bertNormalizerOf(t testing.TB, raw map[string]any) map[string]any {
	t.Helper()
	n, _ := raw["normalizer"].(map[string]any)
	require.NotNil(t, n, "the file has no normalizer")
	if n["type"] == "Sequence" {
		seq, _ := n["normalizers"].([]any)
		require.NotEmpty(t, seq)
		n, _ = seq[len(seq)-1].(map[string]any)
	}
	require.Equal(t, "BertNormalizer", n["type"])
	return n
}

var (
	trainedOnce  sync.Once
	trainedVocab map[string]int
	trainedErr   error
)

// trainVocab trains a small WordPiece vocabulary with sugarme's trainer on
// text, the way the router's trainer does (once per test binary).
func trainVocab(t testing.TB, text []string) map[string]int {
	t.Helper()
	trainedOnce.Do(func() {
		// Word counts over a simple split: they only shape the vocabulary;
		// the equivalence tests compare both tokenizers on the same file.
		counts := map[string]int{}
		for _, s := range text {
			for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) {
				counts[w]++
			}
		}
		trainer := wordpiece.NewWordPieceTrainerBuilder().VocabSize(3000).MinFrequency(2).ShowProgress(false).
			SpecialTokens([]sugarme.AddedToken{sugarme.NewAddedToken("[PAD]", true), sugarme.NewAddedToken("[UNK]", true)}).
			Build()
		trainedVocab = specialsFirst(trainer.Train(counts).GetVocab())
	})
	require.NoError(t, trainedErr)
	require.Equal(t, 0, trainedVocab["[PAD]"])
	require.Equal(t, 1, trainedVocab["[UNK]"])
	return trainedVocab
}

// sugarmeEncoder loads the reference tokenizer from the same file. Its
// function reports ok=false where sugarme panics (it does on some inputs
// with control characters; see readme-classifier.md).
func sugarmeEncoder(t testing.TB, file []byte) func(string) (ids []int64, ok bool) {
	t.Helper()
	tk, err := pretrained.FromReader(bytes.NewReader(file))
	require.NoError(t, err)
	return func(s string) (ids []int64, ok bool) {
		defer func() {
			if recover() != nil {
				ids, ok = nil, false
			}
		}()
		enc, err := tk.EncodeSingle(s, false)
		require.NoError(t, err)
		ids = make([]int64, len(enc.Ids))
		for i, id := range enc.Ids {
			ids[i] = int64(id)
		}
		return ids, true
	}
}

// specialsFirst renumbers vocab so [PAD] is 0 and [UNK] is 1, as in the
// router's tokenizer.json.
func specialsFirst(vocab map[string]int) map[string]int {
	out := map[string]int{"[PAD]": 0, "[UNK]": 1}
	next := 2
	tokens := make([]string, 0, len(vocab))
	for tok := range vocab {
		tokens = append(tokens, tok)
	}
	sort.Slice(tokens, func(i, j int) bool { return vocab[tokens[i]] < vocab[tokens[j]] })
	for _, tok := range tokens {
		if tok != "[PAD]" && tok != "[UNK]" {
			out[tok] = next
			next++
		}
	}
	return out
}
