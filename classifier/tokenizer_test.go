package classifier

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// edgeCases are inputs chosen to exercise every branch of the normalizer,
// pre-tokenizer and WordPiece.
var edgeCases = []string{
	"", " ", "\t\n\r ", "Hello, World!", "What is 2+2? Answer: 4.",
	"Café résumé naïve façade Ångström", "e\u0301te\u0301", "\u0301 alone", "ß ẞ straße",
	"中文字符测试 mixed 中文text", "日本語のテキストです。カタカナ", "한국어 텍스트", "𠀀𠀁 ext-B 𪜀 𫝀 𫠠 丽",
	"emoji 😀🎉👍🏽 family 👨\u200d👩\u200d👧 flags 🇫🇷", "a\x00b\x01c\x7fd\u200be\ufeff f\u00ad g",
	"nbsp\u00a0here ideographic\u3000space vt\vff\fend", "invalid \xff\xfe utf8 \xc3 tail\xe2\x82",
	"\ufffd replacement \ufffd", strings.Repeat("a", 99), strings.Repeat("b", 100), strings.Repeat("c", 101),
	strings.Repeat("abc", 40), strings.Repeat("supercalifragilistic", 5) + " end",
	"İstanbul KELVIN \u212a Ω \u2126 Å \u212b ΣΑΣ", "[UNK] and [PAD] written out", "x[PAD]y[UNK]z[PAD]",
	"[UNK] before [PAD]", "[[PAD]] [UNK[UNK]]", "[pad] [unk]", "$100 + 5% = ~€90 ¥ £ ∑∫≤ ± §¶ «quotes» „x“ — – …",
	"don't won't y'all", "line1\r\nline2\n\n\ttabbed", "مرحبا שלום नमस्ते สวัสดี Привет", "3.14159e-10 0x1F 1,000,000",
	"```go\nfunc main() { fmt.Println(\"hi\") }\n```", "C++ C# F# .NET node.js e.g. i.e. U.S.A.",
	strings.Repeat("長", 300), "ﬁ ligature ﬀ and ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
	// Text pasted from web pages and word processors, which NFKC folds.
	"hello\u2002world\u2009thin\u200ahair\u202fnarrow\u3000wide\u00a0nbsp", "Bonjour\u00a0: ça va\u00a0? «\u00a0oui\u00a0»",
	"x² ½ ℃ ㎏ Ⅳ ① ™ … ＄１００", "ǅ ǈ Å \u212b \u1100\u1161\u11a8 가\u11a8 ﾊﾟ", "<\u0338 =\u0338 a\u0301\u0300 q\u0307\u0323",
	"z" + strings.Repeat("\u0301\u0316", 40) + " zalgo", "中文，标点：（全角）⼀⼤", "cafe\u0301 and caf\u00e9\u00a0both",
}

// sugarmeBreaks says whether sugarme is known to panic on text: on invalid
// UTF-8, and, with strip_accents, when lowercasing changes a character's
// byte length (its offset bookkeeping then goes out of range). Requests
// reach the router as JSON, which carries only valid UTF-8.
func sugarmeBreaks(text string, stripAccents bool) bool {
	if !utf8.ValidString(text) {
		return true
	}
	if stripAccents {
		for _, r := range text {
			if utf8.RuneLen(r) != utf8.RuneLen(unicode.ToLower(r)) {
				return true
			}
		}
	}
	return false
}

func requireSameTokens(t *testing.T, file []byte, texts []string) {
	t.Helper()
	fast, err := NewTokenizer(file)
	require.NoError(t, err)
	reference := sugarmeEncoder(t, file)
	strip := strings.Contains(string(file), `"strip_accents":true`)
	nfkc := hasNFKC(t, file)
	mismatches := 0
	for i, text := range texts {
		in := text
		if nfkc {
			// sugarme v0.3.0's NFKC leaves text that is already in NFKC
			// alone and gives the NFKD of any other (composing nothing, and
			// panicking on some), so it reads the normal form, as the
			// trainer's encoder hands it over (training/wordpiece).
			in = norm.NFKC.String(text)
		}
		want, ok := reference(in)
		got := fast.Encode(text)
		if !ok {
			require.Truef(t, sugarmeBreaks(in, strip), "sugarme panicked on text %d: %.200q", i, text)
			continue
		}
		if len(want) == 0 {
			want = []int64{}
		}
		if !assert.Equalf(t, want, got, "text %d: %.200q", i, text) {
			if mismatches++; mismatches > 5 {
				t.FailNow()
			}
		}
	}
}

func TestTokenizerMatchesSugarmeOnEdgeCases(t *testing.T) {
	vocab := trainVocab(t, append(realPromptsOrNil(t), edgeCases...))
	for _, tc := range []struct {
		name       string
		normalizer map[string]any
	}{
		{"lowercase", bertNormalizerCfg(true, false)},
		{"lowercase and strip accents", bertNormalizerCfg(true, true)},
		{"cased", bertNormalizerCfg(false, false)},
		{"no normalizer", nil},
		{"NFKC then lowercase", nfkcNormalizerCfg(true, false)},
		{"NFKC then lowercase and strip accents", nfkcNormalizerCfg(true, true)},
		{"NFKC cased", nfkcNormalizerCfg(false, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireSameTokens(t, tokenizerJSON(vocab, tc.normalizer), edgeCases)
		})
	}
}

func TestTokenizerMatchesSugarmeOnRealPrompts(t *testing.T) {
	t.Parallel()
	// A smaller sample than the shipped tokenizer's test: this one checks the
	// added-token path ([PAD]/[UNK] written in prompts) on real text.
	prompts := realPrompts(t, 200, 300)
	vocab := trainVocab(t, append(realPromptsOrNil(t), edgeCases...))
	t.Logf("%d texts", len(prompts))
	requireSameTokens(t, tokenizerJSON(vocab, bertNormalizerCfg(true, false)), prompts)
	requireSameTokens(t, tokenizerJSON(vocab, nfkcNormalizerCfg(true, false)), prompts)
}

// TestShippedTokenizerMatchesSugarme checks the trainer's tokenizer.json
// when it exists.
func TestShippedTokenizerMatchesSugarme(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile(filepath.Join("..", "models", "artifacts", "tokenizer.json"))
	if os.IsNotExist(err) {
		t.Skip("models/artifacts/tokenizer.json not trained yet")
	}
	require.NoError(t, err)
	texts := append(realPrompts(t, 500, 1000), edgeCases...)
	requireSameTokens(t, file, texts)
	t.Run("without NFKC", func(t *testing.T) { requireSameTokens(t, withoutNFKC(t, file), texts) })
}

// realPromptsOrNil is a vocabulary corpus: real prompts when present.
func realPromptsOrNil(t *testing.T) []string {
	if sharedData() == "" {
		return nil
	}
	return realPrompts(t, 300, 300)
}

func TestTokenizerRejectsUnsupportedFiles(t *testing.T) {
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1, "a": 2}
	good := string(tokenizerJSON(vocab, bertNormalizerCfg(true, false)))
	_, err := NewTokenizer([]byte(good))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"post processor", `"post_processor":null`, `"post_processor":{"type":"BertProcessing"}`, "post_processor"},
		{"padding", `"padding":null`, `"padding":{"strategy":"BatchLongest"}`, "padding"},
		{"byte-level pre-tokenizer", `"BertPreTokenizer"`, `"ByteLevel"`, "pre_tokenizer"},
		{"BPE model", `"type":"WordPiece","unk_token"`, `"type":"BPE","unk_token"`, "WordPiece"},
		{"other normalizer", `"type":"BertNormalizer"`, `"type":"NFKC"`, "normalizer"},
		{"NFKC after the BertNormalizer", `"normalizer":{`, `"normalizer":{"type":"Sequence","normalizers":[{"type":"BertNormalizer"},{"type":"NFKC"}]},"x":{`, "Sequence"},
		{"NFKD", `"normalizer":{`, `"normalizer":{"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"BertNormalizer"}]},"x":{`, "Sequence"},
		{"NFKC alone in a sequence", `"normalizer":{`, `"normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"}]},"x":{`, "Sequence"},
		{"other prefix", `"continuing_subword_prefix":"##"`, `"continuing_subword_prefix":"@@"`, "prefix"},
		{"unk missing from vocab", `"unk_token":"[UNK]"`, `"unk_token":"<unk>"`, "<unk>"},
		{"lstrip special", `"lstrip":false`, `"lstrip":true`, "lstrip"},
		{"not json", `{`, `[`, "tokenizer.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			require.NotEqual(t, good, bad, "replacement did not apply")
			_, err := NewTokenizer([]byte(bad))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// Invalid UTF-8 cannot be compared with sugarme (it panics); the fast
// tokenizer reads each invalid byte as U+FFFD, which clean_text removes.
func TestTokenizerDropsInvalidUTF8LikeReplacementChars(t *testing.T) {
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1, "a": 2, "b": 3, "##b": 4}
	tok, err := NewTokenizer(tokenizerJSON(vocab, bertNormalizerCfg(true, false)))
	require.NoError(t, err)
	require.Equal(t, tok.Encode("a\ufffdb"), tok.Encode("a\xffb"))
	require.Equal(t, []int64{2, 4}, tok.Encode("A\xffb"))
}

// EncodeTruncated must equal Truncate(Encode(...)) everywhere: it skips the
// middle of long texts by starting at word boundaries.
func TestEncodeTruncatedEqualsTruncatedEncode(t *testing.T) {
	texts := slices.Clone(edgeCases)
	for _, e := range edgeCases {
		texts = append(texts, strings.Repeat(e+" ", 30), strings.Repeat(e, 30))
	}
	texts = append(texts, strings.Repeat("x", 5000), strings.Repeat("!?", 900), strings.Repeat("a\x00b\u0301", 700),
		strings.Repeat("word ", 400)+strings.Repeat("長", 100), strings.Repeat("é\u0301 ", 600), "\xff"+strings.Repeat("ab\xe2\x82 ", 400),
		strings.Repeat("the a\x00b of\u200bto wo\u0301rd, x\x7fx ", 200), strings.Repeat("ab\xffab ", 300),
		// NFKC pieces: words joined only by no-break spaces, full-width
		// text, and combining marks where a quick check's chunk ends.
		strings.Repeat("word\u00a0", 600), strings.Repeat("ｗｏｒｄ，", 500), strings.Repeat("a", nfkcChunk-1)+"\u0301"+strings.Repeat(" the", 300),
		strings.Repeat("the ", 200)+strings.Repeat("x", nfkcChunk-1)+"\u0301\u0316 of"+strings.Repeat(" a", 300), strings.Repeat("<\u0338 ", 400))
	if sharedData() != "" {
		texts = append(texts, realPrompts(t, 100, 100)...)
	}
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1}
	for _, w := range strings.Fields("the a of to and is in what how x ##x ab ##b ! ? word 長 é ##e ##s ##ing") {
		vocab[w] = len(vocab)
	}
	if sharedData() != "" {
		vocab = trainVocab(t, append(realPromptsOrNil(t), edgeCases...))
	}
	for _, normalizer := range []map[string]any{bertNormalizerCfg(true, false), bertNormalizerCfg(true, true), bertNormalizerCfg(false, false), nil,
		nfkcNormalizerCfg(true, false), nfkcNormalizerCfg(true, true), nfkcNormalizerCfg(false, false)} {
		file := strings.Replace(string(tokenizerJSON(vocab, normalizer)), `"added_tokens":[`, `"added_tokens":[],"x":[`, 1)
		tok, err := NewTokenizer([]byte(file))
		require.NoError(t, err)
		require.Empty(t, tok.specials)
		for _, w := range []struct{ head, tail int }{{192, 64}, {5, 3}, {0, 10}, {10, 0}, {1, 1}, {0, 0}} {
			for i, text := range texts {
				want := Truncate(tok.Encode(text), w.head, w.tail)
				require.Equalf(t, want, tok.EncodeTruncated(text, w.head, w.tail), "normalizer %v, head %d tail %d, text %d %.100q", normalizer, w.head, w.tail, i, text)
			}
		}
	}
}
