package classifier

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/modelrouter/modelrouter/models"
)

// nfkcPieces are the awkward parts of text for NFKC: forms it folds, marks
// it composes or reorders (some far more than a segment holds), Hangul
// jamo, invalid UTF-8, and ASCII that may combine with what follows.
var nfkcPieces = []string{"the", " ", "word", "\u00a0", "\u2002", "\u2009", "\u202f", "\u3000", "ＡＢＣ", "１２３", "ﬁ", "ﬀ", "…", "½", "①", "™", "⼀",
	"e", "\u0301", "\u0316", "\u0300", "\u0323", "\u0307", "\u0345", "\u0f73", "\u0344", "\u034f", "<", "\u0338", "=", "Å", "\u212b", "\u2126", "ǅ",
	"\u1100", "\u1161", "\u11a8", "가", "ﾊ", "\uff9f", "中", "，", "：", "。", "\xff", "\xe4\xb8", "\x80", ",", "!", "é", "ß", "İ", "😀",
	strings.Repeat("\u0301", 40), strings.Repeat("a", 300)}

func nfkcText(rng *rand.Rand) string {
	var sb strings.Builder
	for range rng.IntN(300) {
		if rng.IntN(6) == 0 {
			sb.WriteRune(rune(rng.IntN(0x3100)))
		} else {
			sb.WriteString(nfkcPieces[rng.IntN(len(nfkcPieces))])
		}
	}
	return sb.String()
}

// The tokenizer normalizes text piece by piece; put together, the pieces
// must be exactly the normal form of the whole text.
func TestNFKCPiecesPutTogetherAreTheNormalFormOfTheText(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	texts := append([]string{"", "a", "e\u0301", strings.Repeat("a", nfkcChunk-1) + "\u0301", strings.Repeat("a", nfkcChunk) + "\u0301",
		strings.Repeat("\u00e9", nfkcChunk) + "\u0301", "z" + strings.Repeat("\u0301\u0316", 40)}, edgeCases...)
	for range 3000 {
		texts = append(texts, nfkcText(rng))
	}
	for _, text := range texts {
		var got []byte
		var buf []byte
		for i := 0; i < len(text); {
			j, normal, raw := nextNFKCPiece(text, i, buf)
			require.Greater(t, j, i)
			if raw {
				got = append(got, text[i:j]...)
			} else {
				got, buf = append(got, normal...), normal
			}
			i = j
		}
		require.Equalf(t, norm.NFKC.String(text), string(got), "text %+q", text)
	}
}

// With NFKC on, the tokenizer reads the normal form of the text: the same
// ids as the tokenizer without it on NFKC(text), whole or truncated.
func TestNFKCTokenizerEncodesTheNormalFormOfTheText(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	plain, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	nfkc, err := NewTokenizer(withNFKC(t, files.TokenizerJSON))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 6))
	texts := append([]string{}, edgeCases...)
	for range 1500 {
		texts = append(texts, nfkcText(rng))
	}
	if sharedData() != "" {
		texts = append(texts, realPrompts(t, 100, 100)...)
	}
	for i, text := range texts {
		want := plain.Encode(norm.NFKC.String(text))
		require.Equalf(t, want, nfkc.Encode(text), "text %d %.200q", i, text)
		for _, w := range [][2]int{{192, 64}, {5, 3}, {0, 4}, {4, 0}} {
			require.Equalf(t, Truncate(want, w[0], w[1]), nfkc.EncodeTruncated(text, w[0], w[1]), "head %d tail %d, text %d %.200q", w[0], w[1], i, text)
		}
	}
}

// What a user pastes from a web page or a word processor reads like the
// plain text it shows.
func TestNFKCTokenizerReadsPastedTextLikeItsPlainForm(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	tok, err := NewTokenizer(withNFKC(t, files.TokenizerJSON))
	require.NoError(t, err)
	for _, c := range []struct{ pasted, plain string }{
		{"please\u00a0summarize\u00a0this\u00a0article", "please summarize this article"},
		{"hello\u2002world\u2009again\u202fand\u3000more", "hello world again and more"},
		{"ＷＲＩＴＥ ａ ｐｒｏｇｒａｍ １２３", "write a program 123"},
		{"ﬁnd the ﬂow", "find the flow"},
		{"cafe\u0301 re\u0301sume\u0301", "café résumé"},
		{"Pourquoi\u00a0? Parce que\u00a0!", "Pourquoi ? Parce que !"},
	} {
		got := tok.Encode(c.pasted)
		assert.Equalf(t, tok.Encode(c.plain), got, "%+q", c.pasted)
		assert.NotContainsf(t, got, tok.unk, "%+q", c.pasted)
	}
}

// A tokenizer.json without NFKC (an older router model's) reads as it was
// trained: a no-break space joins two words into one unknown word.
func TestTokenizerWithoutNFKCLeavesCompatibilityFormsAlone(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	tok, err := NewTokenizer(withoutNFKC(t, files.TokenizerJSON))
	require.NoError(t, err)
	require.False(t, tok.nfkc)
	require.Equal(t, []int64{tok.unk}, tok.Encode("hello\u00a0world"))
	require.Len(t, tok.Encode("hello world"), 2)
}

// sugarme reads a Sequence [NFKC, BertNormalizer] file like the tokenizer
// on text whose NFKD is its NFKC (sugarme's NFKC composes nothing): no-break
// and other spaces, full-width forms, ligatures, already composed accents.
func TestNFKCTokenizerMatchesSugarmeOnPastedText(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	file := withNFKC(t, files.TokenizerJSON)
	tok, err := NewTokenizer(file)
	require.NoError(t, err)
	reference := sugarmeEncoder(t, file)
	for _, text := range []string{
		"please\u00a0summarize\u00a0this\u00a0article", "hello\u2002world\u2009again\u202fand\u3000more", "ＷＲＩＴＥ ａ ｐｒｏｇｒａｍ １２３",
		"ﬁnd the ﬂow ﬀ", "x² ½ ℃ ㎏ Ⅳ ① ™ …", "中文，标点：（全角）⼀⼤", "café résumé naïve", "Pourquoi\u00a0? «\u00a0citation\u00a0»",
	} {
		want, ok := reference(text)
		require.True(t, ok)
		require.Equalf(t, want, tok.Encode(text), "%+q", text)
	}
}
