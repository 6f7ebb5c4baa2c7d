package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// tableWidth is the terminal the CLI's tables are laid out for: no line is
// wider.
const tableWidth = 120

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
			ws[i] = max(ws[i], utf8.RuneCountInString(c))
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
		n = max(n, utf8.RuneCountInString(l.title))
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
			pad := strings.Repeat(" ", ws[i]-utf8.RuneCountInString(c))
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

// wrapText breaks s at spaces into lines of at most width characters, for
// a free-text field too long for its line (a key's name); a word longer
// than width is split, since it must be shown whole.
func wrapText(s string, width int) []string {
	var lines []string
	var line []rune
	for i, word := range strings.Split(s, " ") {
		w := []rune(word)
		if i > 0 {
			if len(line)+1+len(w) <= width {
				line = append(append(line, ' '), w...)
				continue
			}
			lines = append(lines, string(line))
		}
		for len(w) > width {
			lines = append(lines, string(w[:width]))
			w = w[width:]
		}
		line = w
	}
	return append(lines, string(line))
}
