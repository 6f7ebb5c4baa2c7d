package upstream

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadTraceContextFollowsTheSpec(t *testing.T) {
	const (
		v00   = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		id    = "4bf92f3577b34da6a3ce929d0e0e4736"
		state = "rojo=00f067aa0ba902b7"
	)
	later := "cc" + v00[2:]
	exactly512 := "a=" + strings.Repeat("x", 254) + ",b=" + strings.Repeat("y", 253)
	thirtyTwo := strings.Join(traceStateOf(32), ",")
	var sixOf100 string // six members of 100 bytes: 605 bytes
	for i := range 6 {
		sixOf100 += fmt.Sprintf("k%d=%s,", i, strings.Repeat("z", 97))
	}
	sixOf100 = strings.TrimSuffix(sixOf100, ",")
	for _, c := range []struct {
		name           string
		parents        []string
		states         []string
		parent, stateW string
	}{
		{"version 00", []string{v00}, []string{state}, v00, state},
		{"a later version, four fields", []string{later}, []string{state}, later, state},
		{"a later version, a field more", []string{later + "-what-comes"}, nil, later + "-what-comes", ""},
		{"a later version, the flags run on", []string{later + "1"}, []string{state}, "", ""},
		{"a later version over 512 bytes", []string{later + "-" + strings.Repeat("x", 512-len(later))}, nil, "", ""},
		{"two traceparents", []string{v00, v00}, []string{state}, "", ""},
		{"flags in uppercase", []string{v00[:53] + "0A"}, nil, "", ""},
		{"tracestate in two lines is one list", []string{v00}, []string{state, "congo=t61rcWkgMzE"}, v00, state + ",congo=t61rcWkgMzE"},
		{"tracestate of exactly 512 bytes", []string{v00}, []string{exactly512}, v00, exactly512},
		{"tracestate of 32 members and empty ones", []string{v00}, []string{thirtyTwo + ",,"}, v00, thirtyTwo + ",,"},
		{"tracestate over 512 bytes loses its members over 128 characters first", []string{v00},
			[]string{"a=1,long1=" + strings.Repeat("x", 250) + ",b=2,long2=" + strings.Repeat("x", 250) + ",c=" + strings.Repeat("y", 120)},
			v00, "a=1,b=2,c=" + strings.Repeat("y", 120)},
		{"tracestate over 512 bytes then loses members from the end", []string{v00}, []string{sixOf100}, v00, sixOf100[:504]},
		{"tracestate of one member over 512 bytes", []string{v00}, []string{strings.Repeat("k", 256) + "=" + strings.Repeat("a", 256)}, v00, ""},
		{"tracestate with a control character", []string{v00}, []string{"a=1\x01"}, v00, ""},
		{"tracestate blank", []string{v00}, []string{" "}, v00, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Traceparent": c.parents, "Tracestate": c.states}
			got := ReadTraceContext(h)
			assert.Equal(t, TraceContext{Parent: c.parent, State: c.stateW}, got)
			if c.parent != "" {
				assert.Equal(t, id, got.TraceID())
			} else {
				assert.Empty(t, got.TraceID())
			}
		})
	}
}

// traceStateOf is a tracestate's n members, each with a key of its own.
func traceStateOf(n int) []string {
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf("bar%02d=%02d", i+1, i+1)
	}
	return members
}

// A tracestate goes on only if it is the spec's list, every member a key
// and a value as its grammar has them, each key once, at most 32 members;
// anything else is discarded whole, as the spec lets a vendor do with a
// tracestate it cannot parse and as its test suite expects, and the
// traceparent still goes.
func TestReadTraceContextDiscardsATraceStateOutsideTheGrammar(t *testing.T) {
	const v00 = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	keyChars := "abcdefghijklmnopqrstuvwxyz0123456789_-*/"
	var valueChars string // from ' ', which a value may start with, to '~'
	for c := byte(0x20); c <= 0x7e; c++ {
		if c != ',' && c != '=' {
			valueChars += string(c)
		}
	}
	for _, c := range []struct {
		name   string
		states []string
		valid  bool
	}{
		{"every character a key and a value may have", []string{keyChars + "=" + valueChars}, true},
		{"a multi-tenant key", []string{"1tenant@dt=1," + keyChars + "@a-z0-9_-*/=1"}, true},
		{"spaces and tabs around members", []string{"foo=1 \t , \t bar=2,\t \tbaz=3\t"}, true},
		{"a key of 256 characters", []string{"foo=1", strings.Repeat("z", 256) + "=1"}, true},
		{"a tenant of 241 and a system of 14", []string{"foo=1", strings.Repeat("t", 241) + "@" + strings.Repeat("v", 14) + "=1"}, true},
		{"a value of 256 characters", []string{"foo=" + strings.Repeat("v", 256)}, true},
		{"32 members in four lines", []string{
			strings.Join(traceStateOf(32)[:10], ","), strings.Join(traceStateOf(32)[10:20], ","),
			strings.Join(traceStateOf(32)[20:30], ","), strings.Join(traceStateOf(32)[30:], ","),
		}, true},

		{"33 members", []string{strings.Join(traceStateOf(33), ",")}, false},
		{"an uppercase key", []string{"rojo=1,FOO=2"}, false},
		{"a key with a dot", []string{"foo.bar=1"}, false},
		{"a space before the '='", []string{"foo =1"}, false},
		{"a simple key starting with a digit", []string{"1foo=1"}, false},
		{"a key of 257 characters", []string{"foo=1", strings.Repeat("z", 257) + "=1"}, false},
		{"a tenant of 242", []string{"foo=1", strings.Repeat("t", 242) + "@v=1"}, false},
		{"a system of 15", []string{"foo=1", "t@" + strings.Repeat("v", 15) + "=1"}, false},
		{"a system starting with a digit", []string{"t@1v=1"}, false},
		{"an empty system", []string{"foo@=1,bar=2"}, false},
		{"an empty tenant", []string{"@foo=1,bar=2"}, false},
		{"two '@'", []string{"foo@@bar=1,bar=2"}, false},
		{"two systems", []string{"foo@bar@baz=1,bar=2"}, false},
		{"a member without '='", []string{"rojo=1,congo"}, false},
		{"an empty key", []string{"=1"}, false},
		{"an empty value", []string{"foo=,bar=3"}, false},
		{"a value with '='", []string{"foo=bar=baz"}, false},
		{"a value of 257 characters", []string{"foo=" + strings.Repeat("v", 257)}, false},
		{"a tab in a value", []string{"foo=a\tb"}, false},
		{"a byte over 0x7e in a value", []string{"foo=caf\u00e9"}, false},
		{"a key twice", []string{"foo=1,foo=2"}, false},
		{"a key twice, the same value", []string{"foo=1,foo=1"}, false},
		{"a key in two lines", []string{"foo=1", "foo=2"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ReadTraceContext(http.Header{"Traceparent": {v00}, "Tracestate": c.states})
			assert.Equal(t, v00, got.Parent, "the traceparent goes on whatever its tracestate")
			if c.valid {
				assert.Equal(t, strings.Join(c.states, ","), got.State)
			} else {
				assert.Empty(t, got.State)
			}
		})
	}
}
