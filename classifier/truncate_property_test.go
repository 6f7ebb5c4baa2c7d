package classifier

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// EncodeTruncated == Truncate(Encode(text)) on random awkward text:
// punctuation runs, CJK, emoji, combining marks, odd whitespace, invalid
// UTF-8, words over the per-word limit, and forms NFKC folds or composes,
// some to several words (with NFKC on, a stretch may start only where
// normalization does not reach across).
func TestEncodeTruncatedMatchesTheFullEncodeOnAwkwardText(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(files.TokenizerJSON, &raw); err != nil {
		t.Fatal(err)
	}
	toks := map[string]*Tokenizer{}
	bert := bertNormalizerOf(t, raw)
	for _, v := range []struct {
		name         string
		maxChars     int
		lower, strip bool
		clean        bool
		nfkc         bool
	}{{"raw", 4, true, true, false, false}, {"shipped", 100, true, false, true, false}, {"max5", 5, true, false, true, false}, {"strip", 100, true, true, true, false}, {"cased", 7, false, false, true, false},
		{"nfkc", 100, true, false, true, true}, {"nfkc raw", 4, true, true, false, true}, {"nfkc max5", 5, false, false, true, true}} {
		m := raw["model"].(map[string]any)
		m["max_input_chars_per_word"] = v.maxChars
		bert["lowercase"], bert["strip_accents"], bert["clean_text"], bert["handle_chinese_chars"] = v.lower, v.strip, v.clean, v.clean
		raw["normalizer"] = bert
		if v.nfkc {
			raw["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFKC"}, bert}}
		}
		b, _ := json.Marshal(raw)
		tk, err := NewTokenizer(b)
		if err != nil {
			t.Fatal(err)
		}
		toks[v.name] = tk
	}
	pieces := []string{"the", " ", "  ", "\t", "\n", "\r\n", "\f", ",", "...", "!?!", "--", "中文", "日本語", "한국어", "😀", "👨‍👩‍👧", "e\u0301", "\u0301",
		"supercalifragilisticexpialidocious", "unbelievably", "ÀÉÎ", "\u00a0", "\u3000", "\x00", "\u200b", "\ufeff", "\xff", "\xe4\xb8", "a", "Z", "1234567890",
		"http://x.y/z?a=b", "[UNK]", "##", "über", "ﬁ", "İ", "ǅ", "\u2028", "ＡＢＣ", "１２", "，", "：", "\u2009", "\u202f", "…", "½", "①", "⼀",
		"\u212b", "\u1100", "\u1161", "\u11a8", "가", "<", "\u0338", "\u0316", "\u0345", "\u0f73", "ﾊ", "\uff9f", "\u034f", "'", "\"", "(", ")", "x",
		"\ufdfa", "\ufdfb", "\u3250", "\u3300", "\u337f", "\u33c7", "ﬃ", "\u2474", "\u2025", "\u01c4", "\u0301\ufdfa", "\ufdfa\u0301",
		"\u33c2", "\u2100", "\u2488", "\u2121", "\u2162", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"}
	rng := rand.New(rand.NewPCG(1, 2))
	fails := 0
	for name, tk := range toks {
		for iter := 0; iter < 2000; iter++ {
			// How far the walk back looks for a raw word boundary before
			// it reads the end normalized: short, so these texts take
			// that path too.
			tk.tailWalk = []int{tailWalk, 1, 5, 40}[iter%4]
			var sb strings.Builder
			n := rng.IntN(400)
			sub := pieces
			if iter%2 == 0 {
				sub = []string{pieces[rng.IntN(len(pieces))], pieces[rng.IntN(len(pieces))], pieces[rng.IntN(len(pieces))]}
			}
			for range n {
				if rng.IntN(4) == 0 {
					sb.WriteRune(rune(rng.IntN(0x3000)))
				} else {
					sb.WriteString(sub[rng.IntN(len(sub))])
				}
			}
			text := sb.String()
			for _, ht := range [][2]int{{192, 64}, {5, 3}, {1, 1}, {0, 4}, {4, 0}, {0, 0}, {2, 7}} {
				want := Truncate(tk.Encode(text), ht[0], ht[1])
				got := tk.EncodeTruncated(text, ht[0], ht[1])
				if len(want) != len(got) || !eq(want, got) {
					fails++
					if fails < 6 {
						t.Errorf("%s head=%d tail=%d text=%q\nwant %v\n got %v", name, ht[0], ht[1], text, want, got)
					}
				}
			}
		}
	}
	if fails > 0 {
		t.Errorf("%d mismatches", fails)
	}
}

func eq(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Text whose runes fold to several words each (U+FDFA is four Arabic
// words) has no raw word boundary for the walk back to start at, however
// long; its truncation is still the full encoding's, cut, alone or as the
// last turn or the context of a conversation.
func TestEncodeTruncatedMatchesTheFullEncodeOnLongTextThatFoldsToManyWords(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	shipped, err := NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	require.True(t, shipped.nfkc, "the shipped tokenizer folds NFKC")
	n := 3 * tailWalk // runes: longer than the walk back's reach
	// ㏂ folds to "a.m.", ⑴ to "(1)", ⒈ to "1.", ℀ to "a/c", ㏇ to "co.":
	// words the vocabulary knows, where U+FDFA's are all [UNK].
	texts := []string{
		strings.Repeat("\ufdfa", n),
		strings.Repeat("a\ufdfa", n),
		strings.Repeat("\u33c2", n),
		strings.Repeat("x\u2474", n),
		strings.Repeat("\u2488\u33c7\u0301", n),
		strings.Repeat("\ufdfb\u2100", n),
		"the question " + strings.Repeat("\u33c2\ufdfa", n) + " ﷺ",
		strings.Repeat("\u3300", n),                             // one long word: no separator even folded
		strings.Repeat("x ", 300) + strings.Repeat("\u3300", n), // the last word reaches back to the head
		strings.Repeat("the ", 250) + strings.Repeat("\u3250\u2474", n) + strings.Repeat("ﬃ\u33c2", n),
		strings.Repeat("\u1100\u1161\u2488\u2474", n),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"\ufdfa", "ﷺ", "\u3250", "\u3300", "ﬃ", "\u2474", "\u2488", "\u33c2", "\u2100", "\u33c7", "\u0301", "e", "\u1100", "\u1161", "\u00a0", "x"}
	for range 20 {
		var sb strings.Builder
		for range n + rng.IntN(n) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, sb.String())
	}
	encode := func(s string) ([]int64, error) { return shipped.Encode(s), nil }
	for i, text := range texts {
		for _, w := range [][2]int{{192, 64}, {5, 3}, {0, 64}, {192, 0}} {
			require.Equalf(t, Truncate(shipped.Encode(text), w[0], w[1]), shipped.EncodeTruncated(text, w[0], w[1]), "head %d tail %d, text %d %.80q", w[0], w[1], i, text)
		}
		conversation := router.PromptText([]router.Turn{{Role: "user", Text: text}, {Role: "assistant", Text: "ok"}, {Role: "user", Text: text[len(text)/2:]}})
		want, err := Window(conversation, 192, 64, encode)
		require.NoError(t, err)
		require.Equalf(t, want, shipped.EncodeWindow(conversation, 192, 64), "conversation of text %d", i)
	}
}
