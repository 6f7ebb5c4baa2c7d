package corpus

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// Split assigns whole prompts to validation: every example whose text
// hashes (with the seed) below valFrac goes there. Identical texts in
// different datasets (the data README lists such overlaps) hash alike, so a
// prompt is never on both sides. Text is compared after trimming and case
// folding of whitespace-separated words, so trivial copies also stay
// together.
func (c *Corpus) Split(valFrac float64, seed int64) (train, val []int) {
	for i, ex := range c.Examples {
		if valFrac > 0 && promptUnit(ex.Text, seed) < valFrac {
			val = append(val, i)
		} else {
			train = append(train, i)
		}
	}
	return train, val
}

// promptUnit maps a prompt text to [0, 1) deterministically.
func promptUnit(text string, seed int64) float64 {
	key := strings.ToLower(strings.Join(strings.Fields(text), " "))
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	h := sha256.Sum256(append(s[:], key...))
	return float64(binary.LittleEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// Texts returns the texts of the examples at idx.
func (c *Corpus) Texts(idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = c.Examples[j].Text
	}
	return out
}
