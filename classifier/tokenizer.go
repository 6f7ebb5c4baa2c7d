package classifier

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Tokenizer is a fast, allocation-light reimplementation of the router's
// tokenizer.json as github.com/sugarme/tokenizer runs it (BertNormalizer,
// optionally after NFKC, BertPreTokenizer, WordPiece, no post-processor).
// It follows sugarme's behaviour where it differs from Hugging Face's (for
// example, only ' ', \t, \n, \f and \r separate words, and strip_accents
// drops combining marks without decomposing first); the equivalence test
// holds it to sugarme token for token. NFKC is Unicode's (golang.org/x/text),
// which sugarme's is not where the text holds anything to compose (see
// requireSameTokens). A Tokenizer is safe for concurrent use.
type Tokenizer struct {
	vocab      map[string]int64
	unk        int64
	maxChars   int  // words longer than this (in runes) become [UNK]
	maxBytes   int  // longest vocabulary entry without the ## prefix, in bytes
	tailWalk   int  // how far EncodeTruncated walks back for a raw word boundary (NFKC)
	nfkc       bool // Unicode NFKC before the BertNormalizer
	clean      bool
	chinese    bool
	lowercase  bool
	stripMarks bool
	specials   []special
	ascii      [utf8.RuneSelf]int64 // id of each one-byte word ([UNK] if absent)
}

type special struct {
	content string
	id      int64
}

// NewTokenizer reads a tokenizer.json. It rejects files that use options
// this implementation does not reproduce.
func NewTokenizer(tokenizerJSON []byte) (*Tokenizer, error) {
	var tf tokenizerFile
	if err := json.Unmarshal(tokenizerJSON, &tf); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	n, m, err := tf.check()
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{
		vocab:      m.Vocab,
		unk:        m.Vocab[m.UnkToken],
		maxChars:   100,
		tailWalk:   tailWalk,
		nfkc:       n.nfkc,
		clean:      n.bert.CleanText != nil && *n.bert.CleanText,
		chinese:    n.bert.HandleChineseChars != nil && *n.bert.HandleChineseChars,
		lowercase:  n.bert.Lowercase != nil && *n.bert.Lowercase,
		stripMarks: n.bert.StripAccents != nil && *n.bert.StripAccents,
	}
	if m.MaxInputCharsPerWord != nil {
		t.maxChars = *m.MaxInputCharsPerWord
	}
	for tok := range m.Vocab {
		t.maxBytes = max(t.maxBytes, len(strings.TrimPrefix(tok, "##")))
	}
	for b := range t.ascii {
		t.ascii[b] = t.unk
		if id, ok := m.Vocab[string(rune(b))]; ok {
			t.ascii[b] = id
		}
	}
	seen := map[string]bool{}
	for _, a := range tf.AddedTokens {
		if !seen[a.Content] {
			seen[a.Content] = true
			t.specials = append(t.specials, special{a.Content, m.Vocab[a.Content]})
		}
	}
	return t, nil
}

// VocabSize is the number of entries in the vocabulary.
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// MaxID is the largest token id Encode can return.
func (t *Tokenizer) MaxID() int64 {
	var m int64
	for _, id := range t.vocab {
		m = max(m, id)
	}
	return m
}

// Encode returns the token ids of text.
func (t *Tokenizer) Encode(text string) []int64 {
	return t.AppendEncode(make([]int64, 0, len(text)/3+1), text)
}

// AppendEncode appends the token ids of text to dst.
func (t *Tokenizer) AppendEncode(dst []int64, text string) []int64 {
	w := getWordBuf()
	defer wordBufs.Put(w)
	if len(t.specials) == 0 {
		return t.appendSegment(dst, text, w)
	}
	pos := 0
	for _, m := range t.findSpecials(text) {
		dst = t.appendSegment(dst, text[pos:m.start], w)
		dst = append(dst, m.id)
		pos = m.end
	}
	return t.appendSegment(dst, text[pos:], w)
}

type specialMatch struct {
	start, end int
	id         int64
}

// findSpecials locates special tokens written literally in the text. Like
// sugarme, it takes the tokens in file order and, for each, its matches left
// to right, keeping a match only if it starts after the last kept one ends.
func (t *Tokenizer) findSpecials(text string) []specialMatch {
	var out []specialMatch
	cur := 0
	for _, s := range t.specials {
		for from := 0; from <= len(text); {
			i := strings.Index(text[from:], s.content)
			if i < 0 {
				break
			}
			start := from + i
			end := start + len(s.content)
			if start >= cur {
				out = append(out, specialMatch{start, end, s.id})
				cur = end
			}
			from = end
		}
	}
	return out
}

// wordBuf holds the word being assembled: its normalized bytes and the byte
// offset at which each rune starts.
type wordBuf struct {
	bytes  []byte
	starts []int32
	piece  []byte // "##" + a candidate continuation piece
	norm   []byte // the NFKC form of a piece of text that is not already normal
}

// appendSegment tokenizes text that contains no special token.
func (t *Tokenizer) appendSegment(dst []int64, text string, w *wordBuf) []int64 {
	dst, _ = t.scan(dst, text, -1, w)
	return dst
}

// wordBufs recycles word buffers, so tokenizing allocates only its result.
var wordBufs = sync.Pool{New: func() any {
	return &wordBuf{bytes: make([]byte, 0, 256), starts: make([]int32, 0, 128), piece: make([]byte, 2, 256), norm: make([]byte, 0, 64)}
}}

func getWordBuf() *wordBuf {
	w := wordBufs.Get().(*wordBuf)
	w.bytes, w.starts = w.bytes[:0], w.starts[:0]
	w.piece = append(w.piece[:0], '#', '#')
	return w
}

// scan tokenizes text into dst. With stopAt >= 0 it stops at the first word
// boundary where dst holds at least stopAt tokens, and returns how many bytes
// of text it consumed; with NFKC it may stop inside a piece that folds to
// several words and count the whole piece as read (dst then lacks the
// piece's later words). If it does not stop, dst is text's encoding.
func (t *Tokenizer) scan(dst []int64, text string, stopAt int, w *wordBuf) ([]int64, int) {
	if !t.nfkc {
		dst, n, stopped := t.scanRunes(dst, text, stopAt, w)
		if stopped {
			return dst, n
		}
		return t.flush(dst, w), len(text)
	}
	for i := 0; i < len(text); {
		j, normal, raw := nextNFKCPiece(text, i, w.norm)
		if raw {
			var n int
			var stopped bool
			if dst, n, stopped = t.scanRunes(dst, text[i:j], stopAt, w); stopped {
				return dst, i + n
			}
		} else {
			if cap(normal) > cap(w.norm) {
				w.norm = normal // keep the larger buffer
			}
			if w.atStop(dst, stopAt) {
				return dst, i
			}
			for k := 0; k < len(normal); {
				r, size := utf8.DecodeRune(normal[k:])
				k += size
				dst = t.feed(dst, r, w)
				// A piece may fold to many words (U+FDFA is four) and
				// end inside one, so stop within it; the words left in
				// it count as read, which only moves the stop later.
				if w.atStop(dst, stopAt) {
					return dst, j
				}
			}
		}
		i = j
	}
	return t.flush(dst, w), len(text)
}

// atStop says a scan with stopAt may stop here: dst holds stopAt tokens
// (stopAt >= 0) and no word is open, so the next one starts afresh.
func (w *wordBuf) atStop(dst []int64, stopAt int) bool {
	return stopAt >= 0 && len(dst) >= stopAt && len(w.starts) == 0
}

// scanRunes is scan without the final flush: a word may go on in the text
// that follows. stopped says it stopped for stopAt, after n bytes.
func (t *Tokenizer) scanRunes(dst []int64, text string, stopAt int, w *wordBuf) (_ []int64, n int, stopped bool) {
	for i := 0; i < len(text); {
		if w.atStop(dst, stopAt) {
			return dst, i, true
		}
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		i += size
		// feed's body, written out: a call per rune costs ASCII text
		// measurably.
		class, r := t.classify(r)
		switch class {
		case classWord:
			w.add(r)
		case classSpace:
			dst = t.flush(dst, w)
		case classIsolated:
			dst = t.flush(dst, w)
			w.add(r)
			dst = t.flush(dst, w)
		}
	}
	return dst, len(text), false
}

// feed adds one input rune to the word being assembled, tokenizing the
// words it ends.
func (t *Tokenizer) feed(dst []int64, r rune, w *wordBuf) []int64 {
	class, r := t.classify(r)
	switch class {
	case classWord:
		w.add(r)
	case classSpace:
		dst = t.flush(dst, w)
	case classIsolated:
		dst = t.flush(dst, w)
		w.add(r)
		dst = t.flush(dst, w)
	}
	return dst
}

// EncodeTruncated returns Truncate(Encode(text), head, tail) without
// tokenizing the middle of long texts: it tokenizes forward until it has
// head tokens and backward, word by word, until it has tail tokens.
func (t *Tokenizer) EncodeTruncated(text string, head, tail int) []int64 {
	head, tail = max(head, 0), max(tail, 0)
	if len(t.specials) > 0 || len(text) < 2*(head+tail) { // short texts: no gain
		return Truncate(t.Encode(text), head, tail)
	}
	w := getWordBuf()
	defer wordBufs.Put(w)
	front, q := t.scan(make([]int64, 0, head+tail+16), text, head, w)
	// Walk back from the end over word boundaries (just after a space or
	// isolated rune, and with NFKC only where normalization does not reach
	// across), tokenizing each stretch, until tail tokens are found. back
	// holds the stretches' tokens, the text's last stretch first.
	back := make([]int64, 0, tail+32)
	var startsArr [64]int
	starts := startsArr[:0] // where each stretch begins in back
	p := len(text)
	for len(back) < tail && p > q {
		b := p
		stalled := false
		for b > q {
			r, size := utf8.DecodeLastRuneInString(text[:b])
			if t.nfkc {
				if b < p && t.nfkcWordEnd(text, b, r, size) {
					break
				}
				if stalled = p-b >= t.tailWalk; stalled {
					break
				}
			} else if c, _ := t.classify(r); b < p && (c == classSpace || c == classIsolated) {
				break
			}
			b -= size
		}
		if stalled {
			// No raw boundary nearby (the text folds to several words per
			// rune, say): read the end normalized instead, which bounds the
			// cost by the tokens found rather than the text's length.
			starts = append(starts, len(back))
			back = t.appendNormalizedTail(back, text, q, p, tail-len(back), w)
			break
		}
		if b <= q {
			break
		}
		starts = append(starts, len(back))
		back = t.appendSegment(back, text[b:p], w)
		p = b
	}
	n := len(back)
	// The walk back stops at q, where the front scan did: with head tokens
	// in front and tail at the back they cannot overlap, however close.
	// A text the front scan used up is encoded whole already; only a back
	// stretch that ran into q needs the whole text tokenized.
	if len(front) < head { // the scan did not stop: front is the whole encoding
		return Truncate(front, head, tail)
	}
	if n < tail {
		return Truncate(t.Encode(text), head, tail)
	}
	out := front[:head] // front has room for head+tail tokens
	skip := n - tail    // the earliest tokens of the tail stretches are not kept
	for i := len(starts) - 1; i >= 0; i-- {
		end := n
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		toks := back[starts[i]:end]
		if skip >= len(toks) {
			skip -= len(toks)
			continue
		}
		out = append(out, toks[skip:]...)
		skip = 0
	}
	return out
}

func (w *wordBuf) add(r rune) {
	w.starts = append(w.starts, int32(len(w.bytes)))
	w.bytes = utf8.AppendRune(w.bytes, r)
}

// flush runs WordPiece on the assembled word: greedy longest match from the
// left, "##" before every piece but the first, the whole word becoming
// [UNK] when a position has no match or the word is too long.
func (t *Tokenizer) flush(dst []int64, w *wordBuf) []int64 {
	word, starts := w.bytes, w.starts
	if len(starts) == 0 {
		return dst
	}
	w.bytes, w.starts = w.bytes[:0], w.starts[:0] // word and starts keep the contents
	if len(starts) > t.maxChars {
		return append(dst, t.unk)
	}
	if len(word) == 1 { // punctuation and single letters
		return append(dst, t.ascii[word[0]])
	}
	if id, ok := t.vocab[string(word)]; ok { // most words are one piece
		return append(dst, id)
	}
	mark := len(dst)
	for s := 0; s < len(starts); {
		from := int(starts[s])
		found := false
		for e := len(starts); e > s; e-- {
			to := len(word)
			if e < len(starts) {
				to = int(starts[e])
			}
			if to-from > t.maxBytes {
				continue // longer than any vocabulary entry
			}
			var id int64
			var ok bool
			if s == 0 {
				id, ok = t.vocab[string(word[from:to])]
			} else {
				w.piece = append(w.piece[:2], word[from:to]...)
				id, ok = t.vocab[string(w.piece)]
			}
			if ok {
				dst = append(dst, id)
				s, found = e, true
				break
			}
		}
		if !found {
			return append(dst[:mark], t.unk)
		}
	}
	return dst
}
