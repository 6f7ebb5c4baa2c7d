package classifier

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// The fast path's usual case: the head scan stops at exactly head tokens
// and the tail walk at exactly tail tokens (most words are one token). Its
// result is the full tokenization's, cut.
func TestEncodeTruncatedAtExactBoundariesMatchesTheFullEncode(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	tok, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	for _, n := range []int{300, 1000, 1 << 14} {
		text := strings.Repeat("the ", n)
		require.Equal(t, Truncate(tok.Encode(text), 192, 64), tok.EncodeTruncated(text, 192, 64), "%d words", n)
	}
}

// go test -run '^$' -bench EncodeTruncatedHugePrompt -benchmem ./classifier/
// A 4 MiB prompt of one-token words: the middle is skipped (compare the
// full Encode below), as it is of 2 MB that folds to far more.
func BenchmarkEncodeTruncatedHugePrompt(b *testing.B) {
	files, err := models.Artifacts()
	require.NoError(b, err)
	tok, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(b, err)
	text := strings.Repeat("the ", 1<<20)
	b.Run("truncated", func(b *testing.B) {
		for b.Loop() {
			tok.EncodeTruncated(text, 192, 64)
		}
	})
	nfkc, err := NewTokenizer(withNFKC(b, files.TokenizerJSON))
	require.NoError(b, err)
	b.Run("truncated NFKC", func(b *testing.B) {
		for b.Loop() {
			nfkc.EncodeTruncated(text, 192, 64)
		}
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			tok.Encode(text)
		}
	})
	// 2 MB of runes that fold to several words each (U+FDFA is four), so
	// no raw word boundary to walk back to.
	for name, text := range map[string]string{"expanding NFKC": strings.Repeat("\ufdfa", 700000), "expanding NFKC in words": strings.Repeat("a\ufdfa", 500000)} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				nfkc.EncodeTruncated(text, 192, 64)
			}
		})
	}
}
