package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// tableWidth is the terminal the CLI's tables are laid out for: no line is
// wider.
const tableWidth = 120

// displayWidth is how many terminal columns s takes: East Asian wide
// characters take two, so counting runes would let a name in Japanese or
// Korean push a line past tableWidth and misalign the columns after it.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// runeWidth is the columns a terminal gives r: none for a combining mark
// (drawn over the character before it), two for Hangul Jamo initials, the
// CJK, kana and Hangul blocks and the fullwidth forms, one otherwise.
func runeWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r):
		return 0
	case r >= 0x1100 && r <= 0x115F,
		r >= 0x2E80 && r <= 0xA4CF && r != 0x303F, // U+303F is a half-width space
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

// textTable is columns two spaces apart: the first left ones left-aligned
// (names), the others right-aligned (figures). A line with a title and no
// cells stands alone, outside the columns.
type textTable struct {
	left  int
	lines []tableLine
}

type tableLine struct {
	title string
	cells []string
}

func (t *textTable) add(title string, cells []string) {
	t.lines = append(t.lines, tableLine{title, cells})
}

func (t *textTable) widths() []int {
	var ws []int
	for _, l := range t.lines {
		for i, c := range l.cells {
			if i == len(ws) {
				ws = append(ws, 0)
			}
			ws[i] = max(ws[i], displayWidth(c))
		}
	}
	return ws
}

// width is the widest line the table prints.
func (t *textTable) width() int {
	ws := t.widths()
	n := 2 * max(len(ws)-1, 0)
	for _, w := range ws {
		n += w
	}
	for _, l := range t.lines {
		n = max(n, displayWidth(l.title))
	}
	return n
}

func (t *textTable) write(w io.Writer) {
	ws := t.widths()
	for _, l := range t.lines {
		if l.cells == nil {
			fmt.Fprintln(w, l.title)
			continue
		}
		var b strings.Builder
		for i, c := range l.cells {
			pad := strings.Repeat(" ", ws[i]-displayWidth(c))
			switch {
			case i < t.left && i == len(l.cells)-1:
				b.WriteString(c)
			case i < t.left:
				b.WriteString(c + pad + "  ")
			case i == len(l.cells)-1:
				b.WriteString(pad + c)
			default:
				b.WriteString(pad + c + "  ")
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// wrapText breaks s at spaces into lines of at most width columns, for a
// free-text field too long for its line (a key's name); a word longer than
// width is split, since it must be shown whole.
func wrapText(s string, width int) []string {
	var lines []string
	line, lineWidth := "", 0
	for i, word := range strings.Split(s, " ") {
		w := displayWidth(word)
		if i > 0 {
			if lineWidth+1+w <= width {
				line, lineWidth = line+" "+word, lineWidth+1+w
				continue
			}
			lines = append(lines, line)
		}
		for w > width {
			head, rest := splitAtWidth(word, width)
			lines = append(lines, head)
			word, w = rest, w-displayWidth(head)
		}
		line, lineWidth = word, w
	}
	return append(lines, line)
}

// splitAtWidth cuts s after the most runes that fit in width columns, at
// least one, so that a wide character in a one-column room still moves on.
func splitAtWidth(s string, width int) (string, string) {
	n := 0
	for i, r := range s {
		if n+runeWidth(r) > width && i > 0 {
			return s[:i], s[i:]
		}
		n += runeWidth(r)
	}
	return s, ""
}
