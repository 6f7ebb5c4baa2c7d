package upstream

import (
	"strconv"
	"unicode/utf8"
)

// quotedCut is a client's string (a role, a type, a tool_choice) as a
// translation's refusal names it: quoted, and cut to a bounded length.
// The refusal is each model's attempt error, returned to the client and
// kept in the decision log; a megabyte role must not be repeated there.
func quotedCut(s string) string {
	const most = 64
	if len(s) <= most {
		return strconv.Quote(s)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
