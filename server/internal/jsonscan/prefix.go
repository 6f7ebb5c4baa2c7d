package jsonscan

// ObjectPrefix passes a JSON object written in fragments on as they come,
// but only up to its last "safe point": a place after which what went out
// can still be made one JSON object by appending closing characters alone
// (a quote, then the open containers' closers: Closers). Bytes that would
// need invented content to end (a key, a colon, a comma, half a number or
// literal, half an escape or UTF-8 character) wait for the next safe
// point; once the text stops being one JSON object (or never began as one)
// nothing more goes. A valid object goes out byte for byte as written,
// less any whitespace after it.
//
// Unlike most of this package it validates what it reads, as json.Valid
// does (nesting to encoding/json's limit included): its input is a model's
// tool call arguments, which a model may write broken.
type ObjectPrefix struct {
	// held is what came after the last safe point, not passed on yet;
	// safeInString: that point is inside a string.
	held         []byte
	safeInString bool
	// stack holds the open containers' closers ('}' or ']'); state is
	// where the scanner stands; broken: the text stopped being one JSON
	// object (or never began as one), so nothing more is passed on.
	stack  []byte
	state  prefixState
	broken bool
	// inKey: the string being read is a key; hex counts the \u escape's
	// hex digits still due; runeLeft the continuation bytes of a
	// multi-byte character still due; literal the rest of true/false/null.
	inKey         bool
	hex, runeLeft int
	literal       string
}

type prefixState int

const (
	atBegin     prefixState = iota // before the top-level '{'
	atObjFirst                     // after '{': a key or '}'
	atObjKey                       // after ',' in an object: a key
	atColon                        // after a key: ':'
	atValue                        // after ':' or ',' in an array: a value
	atArrFirst                     // after '[': a value or ']'
	atString                       // inside a string (a key's too: inKey)
	atEscape                       // after '\' in a string
	atMinus                        // number: after '-'
	atZero                         // number: a leading 0
	atInt                          // number: in the integer digits
	atDot                          // number: after '.'
	atFrac                         // number: in the fraction digits
	atExp                          // number: after 'e'
	atExpSign                      // number: after the exponent's sign
	atExpDigits                    // number: in the exponent digits
	atLiteral                      // in true, false or null
	atAfter                        // after a value
	atDone                         // after the top-level object
)

// Write takes the next fragment and returns the bytes to pass on now.
func (a *ObjectPrefix) Write(fragment string) string {
	if a.broken {
		return ""
	}
	if len(a.held) == 0 {
		// Nothing waits (the usual case: a string value streaming): what
		// goes out is a piece of the fragment itself, not a copy, and only
		// what follows the last safe point waits.
		safe := scan(a, fragment, 0)
		if !a.broken {
			a.held = append(a.held, fragment[safe:]...)
		}
		return fragment[:safe]
	}
	start := len(a.held)
	a.held = append(a.held, fragment...)
	safe := scan(a, a.held, start)
	out := string(a.held[:safe])
	switch {
	case a.broken:
		a.held = nil // never passed on
	case safe > 0:
		a.held = append(a.held[:0], a.held[safe:]...)
	}
	return out
}

// scan moves the scanner over text from its byte from on and returns
// where in text the last safe point it met lies (0 for none); it stops
// where the text breaks.
func scan[T string | []byte](a *ObjectPrefix, text T, from int) (safe int) {
	for i := from; i < len(text); i++ {
		if a.state == atString && !a.inKey && a.runeLeft == 0 {
			// A string value's plain ASCII bytes change nothing, and a
			// safe point follows each: skip them in one go.
			j := i
			for j < len(text) && plainStringByte(text[j]) {
				j++
			}
			if j > i {
				safe, a.safeInString, i = j, true, j-1
				continue
			}
		}
		if !a.step(text[i]) {
			a.broken = true
			return safe
		}
		if a.closable() && !(a.state == atDone && space(text[i])) {
			// Whitespace after the object is held for good: it is no part
			// of it, and a client's SDK that reads the input at each delta
			// (anthropic-sdk-go) took a lone "\n" delta for the input.
			safe, a.safeInString = i+1, a.inString()
		}
	}
	return safe
}

// plainStringByte: c stands for itself in a string and is ASCII.
func plainStringByte(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }

// Closers returns what makes the bytes that went out one JSON object: ""
// when they are one already (or none went out), else a quote for a string
// left open and the closers of the containers left open.
func (a *ObjectPrefix) Closers() string {
	var closers []byte
	if a.safeInString {
		closers = append(closers, '"')
	}
	for i := len(a.stack) - 1; i >= 0; i-- {
		closers = append(closers, a.stack[i])
	}
	return string(closers)
}

// closable reports a position the closers alone can end. The containers
// open there are the ones open now: every '{', '[', '}' and ']' is itself
// followed by such a position, so the stack never changes between one and
// the scanner's stop.
func (a *ObjectPrefix) closable() bool {
	switch a.state {
	case atObjFirst, atArrFirst, atZero, atInt, atFrac, atExpDigits, atAfter, atDone:
		return true
	case atString:
		return !a.inKey && a.runeLeft == 0
	}
	return false
}

func (a *ObjectPrefix) inString() bool { return a.state == atString && !a.inKey }

func space(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// step moves the scanner over one byte; false: the text is no longer one
// JSON object.
func (a *ObjectPrefix) step(c byte) bool {
	switch a.state {
	case atBegin:
		if space(c) {
			return true
		}
		if c != '{' {
			return false // not an object
		}
		return a.open('}', atObjFirst)
	case atObjFirst, atObjKey:
		switch {
		case space(c):
			return true
		case c == '"':
			// A key is held whole: only a value can end after it.
			a.state, a.inKey, a.runeLeft = atString, true, 0
			return true
		case c == '}' && a.state == atObjFirst:
			return a.close(c)
		}
		return false
	case atColon:
		if space(c) {
			return true
		}
		if c == ':' {
			a.state = atValue
			return true
		}
		return false
	case atValue, atArrFirst:
		if space(c) {
			return true
		}
		if c == ']' && a.state == atArrFirst {
			return a.close(c)
		}
		return a.value(c)
	case atString:
		return a.stringByte(c)
	case atEscape:
		if a.hex > 0 {
			if a.hex--; a.hex == 0 {
				a.state = atString
			}
			return isHex(c)
		}
		if c == 'u' {
			a.hex = 4
			return true
		}
		a.state = atString
		return isEscape(c)
	case atMinus:
		return a.digitAfter(c, atInt)
	case atZero, atInt:
		switch {
		case c >= '0' && c <= '9' && a.state == atInt:
			return true
		case c == '.':
			a.state = atDot
			return true
		case c == 'e' || c == 'E':
			a.state = atExp
			return true
		}
		return a.after(c)
	case atDot:
		return a.digitAfter(c, atFrac)
	case atFrac:
		switch {
		case c >= '0' && c <= '9':
			return true
		case c == 'e' || c == 'E':
			a.state = atExp
			return true
		}
		return a.after(c)
	case atExp:
		if c == '+' || c == '-' {
			a.state = atExpSign
			return true
		}
		return a.digitAfter(c, atExpDigits)
	case atExpSign:
		return a.digitAfter(c, atExpDigits)
	case atExpDigits:
		if c >= '0' && c <= '9' {
			return true
		}
		return a.after(c)
	case atLiteral:
		if c != a.literal[0] {
			return false
		}
		if a.literal = a.literal[1:]; a.literal == "" {
			a.state = atAfter
		}
		return true
	case atAfter:
		return a.after(c)
	case atDone:
		return space(c) // a second value after the object is not one object
	}
	return false
}

// stringByte is one byte inside a string.
func (a *ObjectPrefix) stringByte(c byte) bool {
	switch {
	case c < 0x20:
		return false
	case c == '\\':
		a.state = atEscape
	case c == '"':
		a.state = atAfter
		if a.inKey {
			a.state, a.inKey = atColon, false
		}
	case c >= 0xC0:
		// A multi-byte character's first byte: the cut waits for its
		// last (the fragments are whole UTF-8; a cut between would not be).
		a.runeLeft = 1
		if c >= 0xE0 {
			a.runeLeft = 2
		}
		if c >= 0xF0 {
			a.runeLeft = 3
		}
	case c >= 0x80 && a.runeLeft > 0:
		a.runeLeft--
	}
	return true
}

// value starts a value at c.
func (a *ObjectPrefix) value(c byte) bool {
	switch {
	case c == '"':
		a.state, a.runeLeft = atString, 0
	case c == '{':
		return a.open('}', atObjFirst)
	case c == '[':
		return a.open(']', atArrFirst)
	case c == '-':
		a.state = atMinus
	case c == '0':
		a.state = atZero
	case c >= '1' && c <= '9':
		a.state = atInt
	case c == 't':
		a.state, a.literal = atLiteral, "rue"
	case c == 'f':
		a.state, a.literal = atLiteral, "alse"
	case c == 'n':
		a.state, a.literal = atLiteral, "ull"
	default:
		return false
	}
	return true
}

// digitAfter takes a digit that a number's sign, dot or exponent needs.
func (a *ObjectPrefix) digitAfter(c byte, next prefixState) bool {
	if c < '0' || c > '9' {
		return false
	}
	if a.state == atMinus && c == '0' {
		next = atZero
	}
	a.state = next
	return true
}

// after is c after a whole value: space, a comma or a closer.
func (a *ObjectPrefix) after(c byte) bool {
	switch {
	case space(c):
		a.state = atAfter
		return true
	case c == ',':
		if a.stack[len(a.stack)-1] == '}' {
			a.state = atObjKey
		} else {
			a.state = atValue
		}
		return true
	case c == '}' || c == ']':
		return a.close(c)
	}
	return false
}

// open starts a container that closer ends, within encoding/json's
// nesting limit.
func (a *ObjectPrefix) open(closer byte, next prefixState) bool {
	if len(a.stack) == maxDepth {
		return false
	}
	a.stack, a.state = append(a.stack, closer), next
	return true
}

// close ends the innermost container with c, if c is its closer.
func (a *ObjectPrefix) close(c byte) bool {
	if a.stack[len(a.stack)-1] != c {
		return false
	}
	a.stack = a.stack[:len(a.stack)-1]
	a.state = atAfter
	if len(a.stack) == 0 {
		a.state = atDone
	}
	return true
}

func isEscape(c byte) bool {
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	}
	return false
}
