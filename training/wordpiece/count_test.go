package wordpiece

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
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
