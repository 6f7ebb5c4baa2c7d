package upstream

import (
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
		{"tracestate of exactly 512 bytes", []string{v00}, []string{"v=" + strings.Repeat("a", 510)}, v00, "v=" + strings.Repeat("a", 510)},
		{"tracestate of 32 members and empty ones", []string{v00}, []string{strings.Repeat("a=1,", 32) + ",,"}, v00, strings.Repeat("a=1,", 32) + ",,"},
		{"tracestate over 512 bytes loses its members over 128 characters first", []string{v00},
			[]string{"a=1,long=" + strings.Repeat("x", 400) + ",b=2," + "c=" + strings.Repeat("y", 120)}, v00, "a=1,b=2,c=" + strings.Repeat("y", 120)},
		{"tracestate over 512 bytes then loses members from the end", []string{v00},
			[]string{strings.Repeat("k="+strings.Repeat("z", 98)+",", 6)[:605]}, v00, strings.TrimSuffix(strings.Repeat("k="+strings.Repeat("z", 98)+",", 5), ",")},
		{"tracestate of one member over 512 bytes", []string{v00}, []string{"v=" + strings.Repeat("a", 511)}, v00, ""},
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
