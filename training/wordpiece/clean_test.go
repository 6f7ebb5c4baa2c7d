package wordpiece

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretokenizer"
	"golang.org/x/text/unicode/norm"
)

// plainSugarme is Words without dropCleaned: sugarme's normaliser and
// pre-tokenizer alone, which panic on some texts.
func plainSugarme(text string) (ws []string, panicked bool) {
	defer func() {
		if recover() != nil {
			ws, panicked = nil, true
		}
	}()
	ns, err := newNormalizer().Normalize(normalizer.NewNormalizedFrom(norm.NFKC.String(text)))
	if err != nil {
		panic(err)
	}
	pts, err := pretokenizer.NewBertPreTokenizer().PreTokenize(tokenizer.NewPreTokenizedStringFromNS(ns))
	if err != nil {
		panic(err)
	}
	ws = []string{}
	for _, s := range pts.GetSplits(normalizer.OriginalTarget, tokenizer.Byte) {
		ws = append(ws, s.Value)
	}
	return ws, false
}

func TestTrainLearnsFromPromptsWithZeroWidthAndControlCharacters(t *testing.T) {
	texts := []string{"\u200b中\v", "\u0085  \x00", "\ufffd\u1100\x00", "soft\u00adhyphen\u200b 中文\x01 text"}
	trainsAndLoads(t, texts)
	ws, err := Words("ab\u200b中\vcd")
	require.NoError(t, err)
	assert.Equal(t, []string{"ab", "中", "cd"}, ws, "what clean_text removes is left out")
}

// Ⱥ and Ⱦ grow by a byte when lower-cased, which sugarme's lower-casing
// does without moving its offsets: it panicked on most texts holding one.
func TestTrainLearnsFromPromptsWithLettersWhoseLowerCaseIsLonger(t *testing.T) {
	texts := []string{"Ⱥ", "The letter Ⱦ", "\u200b中\vȺ", "İ Ⱥ"}
	trainsAndLoads(t, texts)
	ws, err := Words("aȺb Ⱦ.")
	require.NoError(t, err)
	assert.Equal(t, []string{"aⱥb", "ⱦ", "."}, ws)
	ws, err = Words("x\u200b中\vȺ")
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "中", "ⱥ"}, ws)
}

// Where sugarme does not panic, Words gives what it gives.
func TestWordsAreSugarmesWhereItDoesNotPanic(t *testing.T) {
	panics := 0
	for _, s := range append(trickyTexts(3000), corpus...) {
		want, panicked := plainSugarme(s)
		if panicked {
			panics++
			continue
		}
		got, err := Words(s)
		require.NoError(t, err)
		require.Equal(t, want, got, "%q", s)
	}
	require.Positive(t, panics, "the tricky texts include some sugarme panics on")
}

// trickyTexts mixes what could make a text's words differ from its fields'
// words: characters the normaliser drops (NUL, U+FFFD, a form feed, a
// zero-width space), whitespace NFKC folds (no-break space, U+3000) or
// produces (U+00A8 is a space and a diaeresis), combining marks after a
// space, Hangul jamo that compose, CJK characters the normaliser pads,
// punctuation, full-width letters and ligatures, next to spaces, tabs and
// line breaks.
func trickyTexts(n int) []string {
	alphabet := []string{"a", "B", "é", "e\u0301", "\u0301", "\u0308", "中", "文", "\uff21", "\ufb01", "\u00a8", "\u00a0",
		"\u3000", "\u200b", "\u0130", "\u023a", "\u023e", "\x00", "\ufffd", "\f", "\v", "\x01", "\u1100", "\u1161", "\u11a8", "!", "'", "-", "9",
		" ", " ", "  ", "\t", "\n", "\r\n", "\u0085", "\u2028"}
	rng := rand.New(rand.NewSource(7))
	out := []string{"a\fb c", "x \u0301y", "\u1100 \u1161", "a\u00a0b a b", "中 文", " lead and trail ", "", "\t\n"}
	for range n {
		var b strings.Builder
		for range 1 + rng.Intn(40) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

// trainsAndLoads trains a small vocabulary on texts, with the corpus three
// times over so its words reach the minimum frequency, and loads the result.
func trainsAndLoads(t *testing.T, texts []string) {
	t.Helper()
	for range 3 {
		texts = append(texts, corpus...)
	}
	b, err := Train(texts, Options{VocabSize: 64, MinFrequency: 2})
	require.NoError(t, err)
	_, err = Load(bytes.NewReader(b))
	require.NoError(t, err)
}
