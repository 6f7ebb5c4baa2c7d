package classifier

import (
	"encoding/json"
	"fmt"
	"strings"
)

// tokenizerFile is the subset of a Hugging Face tokenizer.json that the
// router's tokenizer uses. Anything else present is rejected rather than
// silently ignored, because ignoring it would tokenize differently from the
// trainer (github.com/sugarme/tokenizer).
type tokenizerFile struct {
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []addedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         json.RawMessage `json:"model"`
}

type addedToken struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type bertNormalizer struct {
	Type               string `json:"type"`
	CleanText          *bool  `json:"clean_text"`
	HandleChineseChars *bool  `json:"handle_chinese_chars"`
	StripAccents       *bool  `json:"strip_accents"` // null means false (as sugarme reads it)
	Lowercase          *bool  `json:"lowercase"`
}

// normalization is what the file's normalizer asks for: NFKC first when
// nfkc (Hugging Face's Sequence [NFKC, BertNormalizer]), then bert.
type normalization struct {
	nfkc bool
	bert bertNormalizer
}

type wordPieceModel struct {
	Type                    string           `json:"type"`
	UnkToken                string           `json:"unk_token"`
	ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
	MaxInputCharsPerWord    *int             `json:"max_input_chars_per_word"`
	Vocab                   map[string]int64 `json:"vocab"`
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func (tf *tokenizerFile) check() (normalization, wordPieceModel, error) {
	var n normalization
	var m wordPieceModel
	for _, part := range []struct {
		name string
		raw  json.RawMessage
	}{{"truncation", tf.Truncation}, {"padding", tf.Padding}, {"post_processor", tf.PostProcessor}} {
		if !isNull(part.raw) {
			return n, m, fmt.Errorf("tokenizer.json: %s must be null (the router adds no special tokens and truncates itself)", part.name)
		}
	}
	n, err := parseNormalizer(tf.Normalizer)
	if err != nil {
		return n, m, err
	}
	var pre struct {
		Type string `json:"type"`
	}
	if isNull(tf.PreTokenizer) {
		return n, m, fmt.Errorf("tokenizer.json: pre_tokenizer is missing (only BertPreTokenizer is supported)")
	}
	if err := json.Unmarshal(tf.PreTokenizer, &pre); err != nil || pre.Type != "BertPreTokenizer" {
		return n, m, fmt.Errorf("tokenizer.json: pre_tokenizer %q is not supported (only BertPreTokenizer)", pre.Type)
	}
	if isNull(tf.Model) {
		return n, m, fmt.Errorf("tokenizer.json: model is missing")
	}
	if err := json.Unmarshal(tf.Model, &m); err != nil {
		return n, m, fmt.Errorf("tokenizer.json: model: %w", err)
	}
	if m.Type != "WordPiece" {
		return n, m, fmt.Errorf("tokenizer.json: model %q is not supported (only WordPiece)", m.Type)
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "##" {
		// sugarme always uses "##" whatever the file says.
		return n, m, fmt.Errorf("tokenizer.json: continuing_subword_prefix %q is not supported (only \"##\")", *m.ContinuingSubwordPrefix)
	}
	if len(m.Vocab) == 0 {
		return n, m, fmt.Errorf("tokenizer.json: empty vocabulary")
	}
	for tok, id := range m.Vocab {
		if id < 0 {
			// A negative id would index the embedding table from its end.
			return n, m, fmt.Errorf("tokenizer.json: token %q has the negative id %d", tok, id)
		}
	}
	if m.UnkToken == "" {
		m.UnkToken = "[UNK]"
	}
	if _, ok := m.Vocab[m.UnkToken]; !ok {
		return n, m, fmt.Errorf("tokenizer.json: unknown token %q is not in the vocabulary", m.UnkToken)
	}
	for _, t := range tf.AddedTokens {
		switch {
		case t.Content == "":
			return n, m, fmt.Errorf("tokenizer.json: added token with empty content")
		case !t.Special:
			return n, m, fmt.Errorf("tokenizer.json: added token %q is not special (only special added tokens are supported)", t.Content)
		case t.SingleWord || t.Lstrip || t.Rstrip || t.Normalized:
			return n, m, fmt.Errorf("tokenizer.json: added token %q uses single_word/lstrip/rstrip/normalized (not supported)", t.Content)
		}
		if _, ok := m.Vocab[t.Content]; !ok {
			return n, m, fmt.Errorf("tokenizer.json: special token %q is not in the vocabulary", t.Content)
		}
	}
	return n, m, nil
}

// parseNormalizer reads null, a BertNormalizer, or a Sequence of NFKC then
// a BertNormalizer (the order matters: NFKC can turn a character into an
// upper-case one that the BertNormalizer then lower-cases).
func parseNormalizer(raw json.RawMessage) (normalization, error) {
	var n normalization
	if isNull(raw) {
		return n, nil
	}
	var head struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return n, fmt.Errorf("tokenizer.json: normalizer: %w", err)
	}
	const supported = "only BertNormalizer, a Sequence of NFKC and BertNormalizer, or null"
	bert := raw
	if head.Type == "Sequence" {
		var types []string
		for _, r := range head.Normalizers {
			var part struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(r, &part); err != nil {
				return n, fmt.Errorf("tokenizer.json: normalizer: %w", err)
			}
			types = append(types, part.Type)
		}
		if len(types) != 2 || types[0] != "NFKC" || types[1] != "BertNormalizer" {
			return n, fmt.Errorf("tokenizer.json: normalizer Sequence %q is not supported (%s)", types, supported)
		}
		n.nfkc, bert = true, head.Normalizers[1]
	}
	if err := json.Unmarshal(bert, &n.bert); err != nil {
		return n, fmt.Errorf("tokenizer.json: normalizer: %w", err)
	}
	if n.bert.Type != "BertNormalizer" {
		return n, fmt.Errorf("tokenizer.json: normalizer %q is not supported (%s)", n.bert.Type, supported)
	}
	return n, nil
}
