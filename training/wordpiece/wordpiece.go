// Package wordpiece trains the router model's tokenizer and reads it back.
//
// The tokenizer is a Hugging Face tokenizer.json with a WordPiece model
// learned on the training prompts from words split by
// github.com/sugarme/tokenizer's normaliser and pre-tokenizer, with merges
// learned here (sugarme's own trainer is broken, see Train):
// NFKC then BertNormalizer (lower case, accents kept), BertPreTokenizer, no
// post-processor (no [CLS]/[SEP]), [PAD]=0 and [UNK]=1. sugarme cannot
// serialise a tokenizer, so Train writes the JSON itself and proves it by
// loading it back with sugarme's own reader.
//
// NFKC folds what text pasted from web pages and word processors carries (a
// no-break space, full-width letters and digits, ligatures) into its plain
// form and composes decomposed accents. sugarme v0.3.0's NFKC does not: it
// leaves text already in NFKC alone and gives the NFKD of any other (and
// panics on some), so this package normalizes with golang.org/x/text itself
// and sugarme's step then finds nothing to change.
package wordpiece

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretokenizer"
	"github.com/sugarme/tokenizer/pretrained"
	"golang.org/x/text/unicode/norm"
)

// Special tokens and their fixed ids (the ONNX model pads with id 0).
const (
	PadToken = "[PAD]"
	UnkToken = "[UNK]"
	PadID    = 0
	UnkID    = 1
)

// Options shape the learned vocabulary.
type Options struct {
	VocabSize    int // target size including [PAD] and [UNK]
	MinFrequency int // a merge must occur at least this often
}

// DefaultOptions is the shipped tokenizer's shape.
var DefaultOptions = Options{VocabSize: 8192, MinFrequency: 3}

// newNormalizer is the BertNormalizer written into tokenizer.json after
// NFKC; training counts words through NFKC and the same one so the
// vocabulary fits what Encode sees.
func newNormalizer() normalizer.Normalizer {
	return normalizer.NewBertNormalizer(true, true, true, false)
}

// Words splits text into the pre-tokens WordPiece sees (NFKC and the
// BertNormalizer, split on whitespace and punctuation).
func Words(text string) ([]string, error) {
	text = norm.NFKC.String(text)
	if strings.IndexFunc(text, splitWhole) >= 0 {
		return wordsOfUnclean(text)
	}
	return sugarmeWords(text)
}

// sugarmeWords is Words of NFKC text.
func sugarmeWords(text string) ([]string, error) {
	ns, err := newNormalizer().Normalize(normalizer.NewNormalizedFrom(text))
	if err != nil {
		return nil, err
	}
	pts, err := pretokenizer.NewBertPreTokenizer().PreTokenize(tokenizer.NewPreTokenizedStringFromNS(ns))
	if err != nil {
		return nil, err
	}
	splits := pts.GetSplits(normalizer.OriginalTarget, tokenizer.Byte)
	out := make([]string, 0, len(splits))
	for _, s := range splits {
		out = append(out, s.Value)
	}
	return out, nil
}

// continuation marks a piece that does not start a word.
const continuation = "##"

// Train learns a WordPiece vocabulary from texts and returns tokenizer.json.
//
// sugarme v0.3.0 ships a WordPiece trainer but it cannot be used: it writes
// a pointer address instead of "##" into the first character of every word
// and overwrites fresh pair counts with stale ones, so its 8k vocabulary
// holds addresses and lacks even "the". Train therefore counts words with
// sugarme's own normaliser and pre-tokenizer (the ones tokenizer.json names)
// and learns the merges with learnMerges; sugarme reads the result back.
// Characters seen fewer than MinFrequency times are left out (their words
// encode as [UNK]).
func Train(texts []string, opt Options) ([]byte, error) {
	if len(texts) == 0 {
		return nil, errors.New("wordpiece: no training texts")
	}
	if opt.VocabSize < 16 {
		return nil, fmt.Errorf("wordpiece: vocabulary size %d is too small", opt.VocabSize)
	}
	minFreq := max(opt.MinFrequency, 1)
	counts, err := countWords(texts)
	if err != nil {
		return nil, fmt.Errorf("wordpiece: pre-tokenize: %w", err)
	}
	chars := map[rune]int{}
	for w, c := range counts {
		for _, r := range w {
			chars[r] += c
		}
	}
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	var words [][]string
	var wc []int
	for _, w := range keys {
		if syms, ok := splitWord(w, chars, minFreq); ok {
			words = append(words, syms)
			wc = append(wc, counts[w])
		}
	}
	if len(words) == 0 {
		return nil, errors.New("wordpiece: the training texts hold no words")
	}
	names := learnMerges(words, wc, opt.VocabSize-2, minFreq)
	vocab := make(map[string]int, len(names))
	for i, s := range names {
		vocab[s] = i
	}
	return Marshal(vocab)
}

// splitWord splits w into characters, "##"-prefixed after the first. Words
// with a character rarer than minFreq are skipped, as are words longer than
// WordPiece reads (max_input_chars_per_word).
func splitWord(w string, chars map[rune]int, minFreq int) ([]string, bool) {
	rs := []rune(w)
	if len(rs) == 0 || len(rs) > maxInputCharsPerWord {
		return nil, false
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		if chars[r] < minFreq {
			return nil, false
		}
		out[i] = string(r)
		if i > 0 {
			out[i] = continuation + out[i]
		}
	}
	return out, true
}

// maxInputCharsPerWord is WordPiece's limit: longer words are [UNK].
const maxInputCharsPerWord = 100

// Marshal writes tokenizer.json for a trained vocabulary: [PAD] and [UNK]
// first, then the learned tokens in the trainer's id order.
func Marshal(learned map[string]int) ([]byte, error) {
	type tok struct {
		s  string
		id int
	}
	toks := make([]tok, 0, len(learned))
	for s, id := range learned {
		if s == PadToken || s == UnkToken {
			continue
		}
		toks = append(toks, tok{s, id})
	}
	sort.Slice(toks, func(i, j int) bool {
		if toks[i].id != toks[j].id {
			return toks[i].id < toks[j].id
		}
		return toks[i].s < toks[j].s
	})
	vocab := map[string]int{PadToken: PadID, UnkToken: UnkID}
	for _, t := range toks {
		vocab[t.s] = len(vocab)
	}
	doc := map[string]any{
		"version":      "1.0",
		"truncation":   nil,
		"padding":      nil,
		"added_tokens": []any{},
		"normalizer": map[string]any{"type": "Sequence", "normalizers": []any{
			map[string]any{"type": "NFKC"},
			map[string]any{
				"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
				"strip_accents": false, "lowercase": true,
			},
		}},
		"pre_tokenizer":  map[string]any{"type": "BertPreTokenizer"},
		"post_processor": nil,
		"decoder":        map[string]any{"type": "WordPiece", "prefix": "##", "cleanup": true},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": UnkToken, "continuing_subword_prefix": continuation,
			"max_input_chars_per_word": maxInputCharsPerWord, "vocab": vocab,
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if _, err := Load(bytes.NewReader(buf.Bytes())); err != nil {
		return nil, fmt.Errorf("wordpiece: the written tokenizer.json does not load: %w", err)
	}
	return buf.Bytes(), nil
}

// Load reads tokenizer.json with sugarme, the reference implementation.
func Load(r io.Reader) (*Encoder, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	tk, err := pretrained.FromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	var doc struct {
		Normalizer struct {
			Type        string `json:"type"`
			Normalizers []struct {
				Type string `json:"type"`
			} `json:"normalizers"`
		} `json:"normalizer"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	n := doc.Normalizer
	nfkc := n.Type == "NFKC" || n.Type == "Sequence" && len(n.Normalizers) > 0 && n.Normalizers[0].Type == "NFKC"
	return &Encoder{tk: tk, nfkc: nfkc}, nil
}

// Encoder turns text into token ids with sugarme.
type Encoder struct {
	tk   *tokenizer.Tokenizer
	nfkc bool // the file normalizes with NFKC first: Encode does it for sugarme
}

// VocabSize is the number of token ids.
func (e *Encoder) VocabSize() int { return e.tk.GetVocabSize(false) }

// Encode returns the token ids of text (no special tokens added). Empty
// text gives no ids.
func (e *Encoder) Encode(text string) ([]int64, error) {
	if e.nfkc {
		text = norm.NFKC.String(text)
	}
	enc, err := e.tk.EncodeSingle(text, false)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(enc.Ids))
	for i, id := range enc.Ids {
		out[i] = int64(id)
	}
	return out, nil
}
