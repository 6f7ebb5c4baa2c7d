package wordpiece

import (
	"bufio"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// wordsOfEachText counts words by running Words on each whole text, the
// definition countWords must keep.
func wordsOfEachText(t testing.TB, texts []string) map[string]int {
	counts := map[string]int{}
	for _, s := range texts {
		ws, err := Words(s)
		require.NoError(t, err)
		for _, w := range ws {
			counts[w]++
		}
	}
	return counts
}

func TestCountWordsMatchesWordsOfEachText(t *testing.T) {
	texts := append(trickyTexts(3000), corpus...)
	require.Equal(t, wordsOfEachText(t, texts), mustCount(t, texts))
	// One text at a time too: a sum over many texts could hide a word
	// moved from one text's count to another's.
	for _, s := range texts {
		require.Equal(t, wordsOfEachText(t, []string{s}), mustCount(t, []string{s}), "%q", s)
	}
}

// The same on the prompts of the canonical data, where it is checked out.
func TestCountWordsMatchesWordsOfEachTextOnTheTrainingPrompts(t *testing.T) {
	texts := canonicalPrompts(t, 400)
	require.Equal(t, wordsOfEachText(t, texts), mustCount(t, texts))
}

func mustCount(t testing.TB, texts []string) map[string]int {
	c, err := countWords(texts)
	require.NoError(t, err)
	return c
}

// canonicalPrompts reads up to n prompts of each canonical dataset
// ($MODELROUTER_DATA, as eval reads it, else ../shared/data/canonical).
func canonicalPrompts(t testing.TB, n int) []string {
	root := os.Getenv("MODELROUTER_DATA")
	if root == "" {
		root = dataset.DefaultRoot()
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "items.jsonl"))
	if len(dirs) == 0 {
		t.Skip("no canonical data next to the checkout")
	}
	var texts []string
	for _, p := range dirs {
		f, err := os.Open(p)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for k := 0; k < n && sc.Scan(); k++ {
			var it struct{ Prompt string }
			require.NoError(t, json.Unmarshal(sc.Bytes(), &it))
			texts = append(texts, it.Prompt)
		}
		require.NoError(t, f.Close())
	}
	return texts
}

// BenchmarkCountWords compares counting each distinct field once with
// running Words on every text, on canonical prompts.
func BenchmarkCountWords(b *testing.B) {
	texts := canonicalPrompts(b, 1000)
	b.Run("words-of-each-text", func(b *testing.B) {
		for range b.N {
			wordsOfEachText(b, texts)
		}
	})
	b.Run("each-field-once", func(b *testing.B) {
		for range b.N {
			mustCount(b, texts)
		}
	})
}

// A few letters change their length in UTF-8 when lower-cased (İ and ẞ
// shrink, Ⱥ and Ⱦ grow). sugarme lower-cases without moving its offsets,
// so what it splits after one depends on the rest of the text, and a text
// it splits whole ("İ Ⱥ") can panic when one field ("Ⱥ") is split alone.
// Such a text is counted as Words splits it whole.
func TestCountWordsMatchesWordsOfEachTextWhereLowercaseChangesLength(t *testing.T) {
	texts := []string{"İ Ⱥ", "ẞ xȺ", "İİ Ⱥ Ⱥ", "İstanbul ve Ⱦ", "Ⱥ\t  é\u205fKⅠ\rⅠ \u3000"}
	alphabet := []string{"a", "B", "é", "中", "\u0130", "\u1e9e", "\u2c62", "\u023a", "\u023e", "\u00a0", "\u2028",
		"!", " ", "  ", "\t", "\r\n", "\u0085", "\u200b"}
	rng := rand.New(rand.NewSource(3))
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.Intn(30) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	checked := 0
	for _, s := range texts {
		want, panicked := wordsOfWholeText(s)
		if panicked {
			continue // sugarme panics on the whole text too
		}
		checked++
		got, err := countWords([]string{s})
		require.NoError(t, err)
		require.Equal(t, want, got, "%q", s)
	}
	require.Greater(t, checked, 1000)
}

// wordsOfWholeText counts Words of s, or reports that it panicked.
func wordsOfWholeText(s string) (counts map[string]int, panicked bool) {
	defer func() {
		if recover() != nil {
			counts, panicked = nil, true
		}
	}()
	ws, err := Words(s)
	if err != nil {
		panic(err)
	}
	counts = map[string]int{}
	for _, w := range ws {
		counts[w]++
	}
	return counts, false
}

// FuzzCountWords checks countWords against Words of the whole text on any
// text (go test -fuzz FuzzCountWords ./training/wordpiece/); without
// -fuzz it runs the seeds: the whitespace kinds a field split could get
// wrong, what the normaliser drops, letters whose lower case changes
// length, and empty and long texts.
func FuzzCountWords(f *testing.F) {
	for _, s := range []string{"", " ", "\r\n\r\n", "a\u00a0b a b", "x\u2028y\u2029z", "tab\tand\r\ncrlf",
		"\u200b中\v", "a\fb c", "x \u0301y", "\u1100 \u1161", "İstanbul ve Ⱦ", "ẞ xȺ", "Café CAFÉ cafe\u0301",
		"\xff\xfe bytes", strings.Repeat("long", 40) + " " + strings.Repeat("\u0301", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, panicked := wordsOfWholeText(s)
		require.False(t, panicked, "Words panics on %q", s)
		got, err := countWords([]string{s})
		require.NoError(t, err)
		require.Equal(t, want, got, "%q", s)
	})
}
