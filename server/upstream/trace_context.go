package upstream

import (
	"net/http"
	"slices"
	"strings"
)

// W3C Trace Context (https://www.w3.org/TR/trace-context/): a client's
// traceparent and tracestate go on to the provider with every attempt, so
// a platform's distributed traces reach through the gateway. The gateway
// starts no span of its own: it passes the client's values on as they
// came, as a participant that does not mutate them may, and checks them
// first, since a value the provider cannot parse would break the trace
// there instead of here.

// maxTraceHeader bounds a forwarded traceparent and tracestate, in bytes.
// The spec has tracestate carry at most 32 list members and lets a vendor
// that is short of room drop them; 512 bytes holds the usual handful of
// vendors' entries and keeps a client from adding kilobytes to every
// provider request.
const maxTraceHeader = 512

// maxTraceStateMembers is the spec's bound on tracestate's list members.
const maxTraceStateMembers = 32

// maxTraceStateMemberCut is the length over which the spec has a vendor
// cutting a long tracestate remove a member first.
const maxTraceStateMemberCut = 128

// TraceContext is a client's W3C trace context as it goes on to
// providers: a valid traceparent, and the tracestate that came with it;
// both empty when the client sent none or one that does not parse.
type TraceContext struct {
	Parent string
	State  string
}

// ReadTraceContext reads the trace context of a client's request headers.
// A traceparent that does not parse, or comes more than once, is dropped,
// and tracestate with it: the spec has a receiver that cannot parse it
// start a new trace, and the call goes on without one rather than failing.
// A tracestate that does not parse (a member outside the spec's grammar,
// a key twice, over 32 members) is dropped alone; one over maxTraceHeader
// bytes is cut to fit as the spec says (traceStateToForward).
func ReadTraceContext(h http.Header) TraceContext {
	parents := h["Traceparent"] // canonical key: no allocation for a call without one
	if len(parents) != 1 || !validTraceParent(parents[0]) {
		return TraceContext{}
	}
	t := TraceContext{Parent: parents[0]}
	// Several tracestate header lines are one list, in order (RFC 9110's
	// rule for a list-valued field, which the spec follows).
	if states := h["Tracestate"]; len(states) > 0 {
		t.State = traceStateToForward(strings.Join(states, ","))
	}
	return t
}

// TraceID is the trace-id of a valid traceparent (32 lowercase hex
// digits), "" when there is none.
func (t TraceContext) TraceID() string {
	if t.Parent == "" {
		return ""
	}
	return t.Parent[3:35]
}

// set puts the trace context on a provider request's headers.
func (t TraceContext) set(h http.Header) {
	if t.Parent == "" {
		return
	}
	h["Traceparent"] = []string{t.Parent}
	if t.State != "" {
		h["Tracestate"] = []string{t.State}
	}
}

// validTraceParent reports whether v is a traceparent the gateway passes
// on: version-traceid-parentid-flags, in lowercase hex, of which the
// spec's version 00 is exactly that (55 characters). A later version is
// read as the spec says: its first 55 characters as version 00's fields,
// followed by nothing or by '-' and fields this gateway does not know,
// which go on untouched (within maxTraceHeader). Version ff and all-zero
// trace or parent ids are invalid.
func validTraceParent(v string) bool {
	const v00Len = 55 // 2 + 1 + 32 + 1 + 16 + 1 + 2
	if len(v) < v00Len || len(v) > maxTraceHeader {
		return false
	}
	version, traceID, parentID, flags := v[0:2], v[3:35], v[36:52], v[53:55]
	if v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return false
	}
	if !lowerHex(version) || !lowerHex(traceID) || !lowerHex(parentID) || !lowerHex(flags) {
		return false
	}
	switch {
	case version == "ff", allZero(traceID), allZero(parentID):
		return false
	case version == "00":
		return len(v) == v00Len
	}
	// A later version: what follows the flags starts a new field.
	return len(v) == v00Len || (v[v00Len] == '-' && printableASCII(v[v00Len:]))
}

// traceStateToForward is the tracestate the gateway passes on, "" for
// none. One that does not parse as the spec's list (traceStateMembers) is
// discarded whole, as the spec lets a vendor do with a tracestate it cannot
// parse and as its test suite expects: the gateway passes the header on
// unchanged or not at all, rather than rewrite another vendor's list. One
// that parses goes on as it came if it is at most maxTraceHeader bytes;
// one longer is cut as the spec has a vendor cut it: members over 128
// characters go first, then members from the end, until it fits, so the
// first vendors' entries still reach the provider.
func traceStateToForward(v string) string {
	members, ok := traceStateMembers(v)
	if !ok || len(members) == 0 {
		return ""
	}
	if len(v) <= maxTraceHeader {
		return v
	}
	members = slices.DeleteFunc(members, func(m string) bool { return len(m) > maxTraceStateMemberCut })
	for len(members) > 0 && len(strings.Join(members, ",")) > maxTraceHeader {
		members = members[:len(members)-1]
	}
	return strings.Join(members, ",")
}

// traceStateMembers splits a tracestate into its list members, without
// the spaces and tabs around them and without empty ones (the spec allows
// both); ok is false when it is not the spec's list: a member that is not
// key=value as the grammar has them (validTraceStateKey,
// validTraceStateValue), a key that comes twice, or over 32 members.
func traceStateMembers(v string) (members []string, ok bool) {
	var keys []string // at most 32: a scan is cheaper than a map
	for m := range strings.SplitSeq(v, ",") {
		if m = strings.Trim(m, " \t"); m == "" {
			continue
		}
		key, value, found := strings.Cut(m, "=")
		if !found || !validTraceStateKey(key) || !validTraceStateValue(value) || slices.Contains(keys, key) {
			return nil, false
		}
		if keys = append(keys, key); len(keys) > maxTraceStateMembers {
			return nil, false
		}
		members = append(members, m)
	}
	return members, true
}

// validTraceStateKey reports whether key is a tracestate key: a simple key,
// a lowercase letter then up to 255 of lowercase letters, digits and
// _-*/, or a multi-tenant key, tenant@system, whose tenant is a lowercase
// letter or digit then up to 240 of those and whose system is a lowercase
// letter then up to 13.
func validTraceStateKey(key string) bool {
	tenant, system, multiTenant := strings.Cut(key, "@")
	if !multiTenant {
		return traceStateKeyPart(key, 256, false)
	}
	return traceStateKeyPart(tenant, 241, true) && traceStateKeyPart(system, 14, false)
}

// traceStateKeyPart reports whether s is 1 to maxLen of the key's
// characters, the first a lowercase letter (or a digit where
// digitFirst).
func traceStateKeyPart(s string, maxLen int, digitFirst bool) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	if c := s[0]; !isLowerAlpha(c) && !(digitFirst && isDigit(c)) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLowerAlpha(c) && !isDigit(c) && !strings.ContainsRune("_-*/", rune(c)) {
			return false
		}
	}
	return true
}

// validTraceStateValue reports whether value is a tracestate value: 1 to
// 256 printable ASCII characters other than ',' and '=', not ending in a
// space (a space at its start is part of it).
func validTraceStateValue(value string) bool {
	if value == "" || len(value) > 256 || value[len(value)-1] == ' ' {
		return false
	}
	return printableASCII(value) && !strings.ContainsAny(value, ",=")
}

func isLowerAlpha(c byte) bool { return 'a' <= c && c <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func allZero(s string) bool {
	return strings.Trim(s, "0") == ""
}

// printableASCII: space through tilde, what a header value may carry
// without the provider's server reading it differently.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
