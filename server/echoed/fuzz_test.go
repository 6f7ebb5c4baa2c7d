package echoed

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzReplace checks Replace against replaceSlowly, a plain reading of the
// package's rules that compares words as strings, and checks what a log
// reader would: no run of MinWords of the request's words is left, the
// output is UTF-8 when the message is, and a message sharing no such run
// comes back byte for byte. The message quotes a slice of the request, as
// a server would: as it is, quoted by Go or JSON, upper-cased or cut.
func FuzzReplace(f *testing.F) {
	for _, seed := range []struct {
		req, prefix, suffix string
		from, to            uint16
		how                 uint8
	}{
		{`{"messages":[{"role":"user","content":"` + prompt + `"}]}`, "HTTP 400: 'input': ", "'}", 30, 120, 0},
		{`{"input":"one two three four five six seven"}`, "bad: ", " (too long)", 10, 40, 1},
		{`{"input":"a\\\\nb c\\u00e9 d\\uD83D\\uDE00 e f g"}`, "", "", 0, 60, 2},
		{`{"input":"请帮我写一首关于秋天的诗，要有落叶和月亮。"}`, "x ", "", 10, 70, 0},
		{`{"input":"` + strings.Repeat("word ", 100) + `"}`, "word word word ", "...", 10, 200, 4},
		{`{"input":"caf\u00e9 \\x41BC tail end here \\u00`, "msg ", "", 0, 60, 3},
	} {
		f.Add(seed.req, seed.prefix, seed.suffix, seed.from, seed.to, seed.how)
	}
	f.Fuzz(func(t *testing.T, req, prefix, suffix string, from, to uint16, how uint8) {
		a, b := min(int(from), len(req)), min(int(to), len(req))
		a, b = min(a, b), max(a, b)
		quote := req[a:b]
		switch how % 5 {
		case 1:
			quote = strconv.Quote(quote)
		case 2:
			j, _ := json.Marshal(quote)
			quote = string(j)
		case 3:
			quote = strings.ToUpper(quote)
		case 4:
			quote += cut
		}
		msg := prefix + quote + suffix
		got := Replace([]string{msg, prefix}, []byte(req))
		want := replaceSlowly(msg, []byte(req))
		if got[0] != want {
			t.Fatalf("Replace(%q, %q)\n = %q\nwant %q", msg, req, got[0], want)
		}
		if got[1] != replaceSlowly(prefix, []byte(req)) {
			t.Fatalf("a second message is replaced as on its own: %q", got[1])
		}
		if utf8.ValidString(msg) && !utf8.ValidString(got[0]) {
			t.Fatalf("not UTF-8: %q", got[0])
		}
		runs := requestRuns([]byte(req))
		for _, piece := range strings.Split(got[0], Marker) {
			ws := wordsSlowly(piece)
			for i := 0; i+MinWords <= len(ws); i++ {
				if runs[runOf(ws[i:i+MinWords])] {
					t.Fatalf("%q still holds the request's words %v", got[0], ws[i:i+MinWords])
				}
			}
		}
		if !strings.Contains(got[0], Marker) || strings.Contains(msg, Marker) {
			return
		}
		ws := wordsSlowly(msg)
		for i := 0; i+MinWords <= len(ws); i++ {
			if runs[runOf(ws[i:i+MinWords])] {
				return
			}
		}
		t.Fatalf("%q shares no run with the request, yet came out as %q", msg, got[0])
	})
}

// wordSlowly is one word of a text: where it is, and its letters.
type wordSlowly struct {
	start, end int
	text       string
}

// wordsSlowly reads s's words one character at a time (charAt).
func wordsSlowly(s string) []wordSlowly {
	var out []wordSlowly
	var w *wordSlowly
	for i := 0; i < len(s); {
		r, n := charAt(s[i:])
		isLetter := r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
		switch {
		case isLetter && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar):
			out = append(out, wordSlowly{i, i + n, string(r)})
			w = nil
		case isLetter:
			if w == nil {
				out = append(out, wordSlowly{start: i})
				w = &out[len(out)-1]
			}
			w.text += string(unicode.ToLower(r))
			w.end = i + n
		default:
			w = nil
		}
		i += n
	}
	return out
}

// charAt is the character at the start of s, a backslash escape read as
// what it stands for (-1 for a separator), and its length.
func charAt(s string) (rune, int) {
	if s[0] != '\\' {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			return -1, 1
		}
		return r, n
	}
	k := len(s) - len(strings.TrimLeft(s, `\`))
	rest := s[k:]
	if rest == "" {
		return -1, k
	}
	if strings.IndexByte("nrtbfva", rest[0]) >= 0 {
		return -1, k + 1
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[rest[0]]
	if digits == 0 || len(rest) < 1+digits || strings.Trim(rest[1:1+digits], "0123456789abcdefABCDEF") != "" {
		return -1, k
	}
	v, _ := strconv.ParseUint(rest[1:1+digits], 16, 64)
	n := k + 1 + digits
	if v > unicode.MaxRune {
		return -1, n
	}
	if rest[0] == 'u' && v >= 0xd800 && v < 0xdc00 && strings.HasPrefix(s[n:], `\`) {
		if low, m := charAt(s[n:]); low >= 0xdc00 && low < 0xe000 {
			return rune(0x10000 + (v-0xd800)<<10 + uint64(low-0xdc00)), n + m
		}
	}
	return rune(v), n
}

func runOf(ws []wordSlowly) string {
	texts := make([]string, len(ws))
	for i, w := range ws {
		texts[i] = w.text
	}
	return strings.Join(texts, " ")
}

// requestRuns are the request's runs of MinWords words.
func requestRuns(req []byte) map[string]bool {
	ws := wordsSlowly(string(req))
	runs := map[string]bool{}
	for i := 0; i+MinWords <= len(ws); i++ {
		runs[runOf(ws[i:i+MinWords])] = true
	}
	return runs
}

// replaceSlowly is Replace for one message, by the package's rules.
func replaceSlowly(msg string, req []byte) string {
	runs := requestRuns(req)
	ws := wordsSlowly(msg)
	covered := make([]bool, len(ws))
	for i := 0; i+MinWords <= len(ws); i++ {
		if runs[runOf(ws[i:i+MinWords])] {
			for j := i; j < i+MinWords; j++ {
				covered[j] = true
			}
		}
	}
	if n := len(ws); n > 1 && covered[n-2] && !covered[n-1] && strings.HasSuffix(msg, cut) && ws[n-1].end == len(msg)-len(cut) {
		covered[n-1] = true
	}
	var b strings.Builder
	done := 0
	for i := 0; i < len(ws); i++ {
		if !covered[i] || i > 0 && covered[i-1] {
			continue
		}
		j := i
		for j+1 < len(ws) && covered[j+1] {
			j++
		}
		b.WriteString(msg[done:ws[i].start] + Marker)
		done = ws[j].end
	}
	return b.String() + msg[done:]
}
